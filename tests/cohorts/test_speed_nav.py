"""The cohort's tabs, drawn once per process for each set of values (issue #20): they follow every change."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _nav(client, url) -> str:
    page = client.get(url).content.decode()
    return page[page.index('<nav aria-label="') :].split("</nav>")[0]


def test_the_tabs_follow_a_renamed_cohort(member):
    cohort = member.cohort
    url = reverse("cohorts:directory", args=[cohort.slug])
    assert f'<nav aria-label="{cohort.name}"' in _nav(member, url)
    cohort.name = "Cohort 3: open data stewards"
    cohort.save()
    assert '<nav aria-label="Cohort 3: open data stewards"' in _nav(member, url)


def test_the_current_tab_follows_the_page(member):
    cohort = member.cohort
    directory = _nav(member, reverse("cohorts:directory", args=[cohort.slug]))
    home = _nav(member, cohort.get_absolute_url())
    assert 'active" aria-current="page" href="/cohorts/' + cohort.slug + '/members/"' in directory
    assert 'active" aria-current="page" href="/cohorts/' + cohort.slug + '/"' in home
    assert directory.count('aria-current="page"') == home.count('aria-current="page"') == 1


def test_an_ended_cohort_says_so_under_its_tabs(member):
    cohort = member.cohort
    url = reverse("cohorts:directory", args=[cohort.slug])
    assert "as alumni" not in _nav(member, url)
    cohort.status = "completed"
    cohort.save()
    assert "as alumni you can read everything here" in _nav(member, url)
