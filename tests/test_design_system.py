"""The design system and the page shell (issue 15): names in the navbar, empty states that say what to do
next, tables that become cards on a phone, state and theme badges, organisation cards and the favicons."""

import re
import struct
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from applications.models import Application
from cohorts.models import Contribution, Theme
from events.models import RSVP, Event
from funding.models import Award, Instalment, TimeEntry
from outcomes.models import Publication, PublicationVersion
from tests.factories import (
    ApplicationFactory,
    AwardFactory,
    CohortFactory,
    InstalmentFactory,
    MembershipFactory,
    OrganisationPersonFactory,
    ParticipantFactory,
    ReviewAssignmentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


class _Page(HTMLParser):
    """The bits of a page these tests read: links in <head>, tables and their cells, empty states."""

    def __init__(self):
        super().__init__()
        self.head_links: list[dict] = []
        self.tables: list[dict] = []  # {"classes": [...], "cells": [{"label": str | None}]}
        self.empty_states: list[str] = []
        self._table_depth = 0
        self._empty_depth = 0
        self._div_depth = 0
        self._empty_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "link":
            self.head_links.append(attrs)
        elif tag == "table":
            self.tables.append({"classes": classes, "cells": []})
        elif tag == "td" and self.tables:
            self.tables[-1]["cells"].append({"label": attrs.get("data-label")})
        if tag == "div":
            self._div_depth += 1
            if "empty-state" in classes and not self._empty_depth:
                self._empty_depth = self._div_depth
                self._empty_text = []

    def handle_endtag(self, tag):
        if tag == "div":
            if self._empty_depth == self._div_depth:
                self.empty_states.append(" ".join(" ".join(self._empty_text).split()))
                self._empty_depth = 0
            self._div_depth -= 1

    def handle_data(self, data):
        if self._empty_depth:
            self._empty_text.append(data)


def _parse(response) -> _Page:
    assert response.status_code == 200, response.status_code
    page = _Page()
    page.feed(response.content.decode())
    return page


def _navbar(html: str) -> str:
    return html[html.index('<nav class="navbar') : html.index("</nav>")]


# --- The shell --------------------------------------------------------------------------------------------


def test_the_navbar_greets_a_signed_in_person_by_name_and_never_shows_their_address(client):
    person = UserFactory(name="Maya Okafor", email="maya@riverdata.example")
    client.force_login(person)
    html = client.get(reverse("cohorts:list")).content.decode()
    navbar = _navbar(html)
    assert '>Maya Okafor<span class="visually-hidden"> (your profile)</span></a>' in navbar
    assert f'href="{reverse("profile")}"' in navbar
    assert "maya@riverdata.example" not in html


def test_someone_without_a_name_yet_sees_your_profile_not_their_address(client):
    person = UserFactory(name="", email="no-name@riverdata.example")
    client.force_login(person)
    html = client.get(reverse("cohorts:list")).content.decode()
    assert ">Your profile</a>" in _navbar(html)
    assert "no-name@riverdata.example" not in html


def test_the_footer_links_to_the_open_calls_and_the_open_data(client):
    html = client.get(reverse("applications:call_list")).content.decode()
    footer = html[html.index('<footer class="cn-footer') : html.index("</footer>")]
    assert re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', footer) == [
        ("/calls/", "Open calls"),
        ("/data/", "Open data"),
        ("/privacy/", "Privacy notice"),
        ("/accounts/login/", "Sign in"),
    ]


def test_every_favicon_the_pages_link_to_is_a_static_file_of_the_size_it_says(client):
    links = [
        link
        for link in _parse(client.get(reverse("applications:call_list"))).head_links
        if link.get("rel") in {"icon", "apple-touch-icon", "mask-icon"}
    ]
    assert [(link["rel"], link["href"]) for link in links] == [
        ("icon", "/static/favicon.svg"),
        ("icon", "/static/favicon-32.png"),
        ("apple-touch-icon", "/static/apple-touch-icon.png"),
        ("mask-icon", "/static/favicon-mask.svg"),
    ]
    sizes = {}
    for link in links:
        found = finders.find(link["href"].removeprefix(settings.STATIC_URL))
        assert found, f"{link['href']} is not a static file"
        data = Path(found).read_bytes()
        if found.endswith(".png"):
            assert data[:8] == b"\x89PNG\r\n\x1a\n"
            sizes[link["href"]] = struct.unpack(">II", data[16:24])
        else:
            assert data.startswith(b'<svg xmlns="http://www.w3.org/2000/svg"')
    assert sizes == {"/static/favicon-32.png": (32, 32), "/static/apple-touch-icon.png": (180, 180)}


# --- Empty states that say what to do next -----------------------------------------------------------------


def test_the_applications_list_when_empty_points_to_the_open_calls(client):
    client.force_login(OrganisationPersonFactory().user)
    page = _parse(client.get(reverse("applications:list")))
    assert page.empty_states == [
        "No applications yet Find an open call that fits your organisation and start an application: "
        "it saves as you type, so you can finish it later. Find an open call"
    ]


def test_the_review_list_when_empty_says_how_reviews_arrive(client):
    client.force_login(UserFactory())
    page = _parse(client.get(reverse("applications:review_list")))
    assert page.empty_states == [
        "Nothing to review Staff assign applications to reviewers in the admin. When they assign you one, "
        "it appears here and you get an email. Back to your dashboard"
    ]


def test_my_cohorts_when_empty_says_how_to_join_one(client):
    client.force_login(UserFactory())
    page = _parse(client.get(reverse("cohorts:list")))
    assert page.empty_states == [
        "You are not in a cohort yet When an application from your organisation is accepted, its cohort appears "
        "here with its events, members and resources. Apply to an open call to join one. See open calls"
    ]


def test_the_directory_and_resources_when_empty_say_what_to_do(client):
    cohort = CohortFactory()
    client.force_login(UserFactory(is_staff=True))
    directory = _parse(client.get(reverse("cohorts:directory", args=[cohort.slug])))
    assert directory.empty_states == [
        "No member organisations yet Members appear here once their applications are accepted and staff add them "
        "to the cohort. Meanwhile, see what is coming up. See the cohort's events"
    ]
    resources = _parse(client.get(reverse("cohorts:resources", args=[cohort.slug])))
    assert resources.empty_states == [
        "Nothing shared yet Be the first: share guidance, literature or a file that helped your organisation, "
        "with the form below. Share a link or a file"
    ]
    theme = Theme.objects.order_by("position").first()
    filtered = _parse(client.get(reverse("cohorts:resources", args=[cohort.slug]), {"theme": theme.slug}))
    assert filtered.empty_states == [
        "Nothing shared on this theme yet Share a link or a file on this theme with the form below, or look at "
        "what has been shared on every theme. Show all themes"
    ]


def test_an_award_without_payments_or_time_says_what_happens_next(client):
    participant = ParticipantFactory()
    award = AwardFactory(membership=participant.membership)
    client.force_login(participant.user)
    page = _parse(client.get(award.get_absolute_url()))
    assert page.empty_states == [
        "No payments scheduled yet The programme's finance team schedules your instalments; each appears here with "
        "its due date, and you are told when one is paid.",
        "No time logged yet Attending events adds their time automatically. Log other work on the programme with "
        "the form below. Log time",
    ]


def test_the_budget_of_a_cohort_without_members_and_an_empty_publication_say_what_to_do(client):
    cohort = CohortFactory()
    client.force_login(UserFactory(is_staff=True))
    budget = _parse(client.get(reverse("funding:dashboard", args=[cohort.slug])))
    assert budget.empty_states == [
        "No member organisations yet Accept applications to this cohort's call, or add memberships in the admin; "
        "each member's award and instalments then appear here. Memberships in the admin"
    ]
    # A version with no theme's text (as a copied legacy output can be) says where the text comes from.
    output = Publication.objects.create(cohort=cohort, title="Output", slug="output")
    PublicationVersion.objects.create(
        publication=output, number=1, title="Output", licence="CC-BY-4.0", published_at=timezone.now()
    )
    publication = _parse(client.get(reverse("outcomes:publication", args=["output"])))
    assert publication.empty_states == [
        "No theme has any text yet Staff write a synthesis per theme in the editor; each appears here once it has text."
    ]


# --- Tables that become cards on a phone ----------------------------------------------------------------


def _assert_stacked(page: _Page, expected_labels: list[list[str]]):
    """Every table is a table-stack, and each row's cells carry exactly these labels."""
    assert [t["classes"] for t in page.tables] == [["table", "table-stack", "align-middle"]] * len(expected_labels)
    for table, labels in zip(page.tables, expected_labels, strict=True):
        cells = [cell["label"] for cell in table["cells"]]
        assert cells
        assert len(cells) % len(labels) == 0
        assert cells == labels * (len(cells) // len(labels))


def test_the_list_tables_stack_into_labelled_cards(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    lead = OrganisationPersonFactory()
    ApplicationFactory(organisation=lead.organisation, created_by=lead.user, status=Application.Status.SUBMITTED)
    client.force_login(lead.user)
    applications = _parse(client.get(reverse("applications:list")))
    _assert_stacked(applications, [["Call", "Organisation", "Status", "Last saved"]])

    assignment = ReviewAssignmentFactory()
    client.force_login(assignment.reviewer)
    _assert_stacked(_parse(client.get(reverse("applications:review_list"))), [["Organisation", "Call", "Your review"]])

    participant = ParticipantFactory()
    client.force_login(participant.user)
    contributions = _parse(client.get(reverse("cohorts:contributions", args=[participant.membership.cohort.slug])))
    _assert_stacked(contributions, [["Theme", "Status"]])

    award = AwardFactory(membership=participant.membership)
    InstalmentFactory(award=award)
    TimeEntry.objects.create(
        membership=participant.membership,
        user=participant.user,
        date=date(2026, 11, 2),
        hours=Decimal("2.50"),
        activity="Wrote the data guide",
    )
    _assert_stacked(
        _parse(client.get(award.get_absolute_url())),
        [["Due", "Amount", "Status", "Invoice"], ["Date", "Hours", "Activity", "By"]],
    )

    client.force_login(UserFactory(is_staff=True))
    budget = _parse(client.get(reverse("funding:dashboard", args=[participant.membership.cohort.slug])))
    money = ["Awarded", "Scheduled", "Approved", "Paid", "Remaining", "Hours", "Time value"]
    _assert_stacked(budget, [["Organisation", *money, *money]])  # one row, then the totals


# --- Badges and cards ---------------------------------------------------------------------------------------


def test_states_show_as_badges_with_their_label_and_the_css_colours_every_state(client):
    lead = OrganisationPersonFactory()
    ApplicationFactory(organisation=lead.organisation, created_by=lead.user, status=Application.Status.UNDER_REVIEW)
    client.force_login(lead.user)
    html = client.get(reverse("applications:list")).content.decode()
    assert '<span class="badge rounded-pill state-badge state-under_review">Under review</span>' in html

    css = (Path(settings.BASE_DIR) / "static" / "css" / "site.css").read_text()
    coloured = set(re.findall(r"\.state-([a-z_]+)\b", css)) - {"badge"}
    values = {
        value
        for choices in (Application.Status, RSVP.Status, RSVP.Attendance, Event.Status, Award.Status)
        for value in choices.values
    } | set(Instalment.Status.values)
    # The states pages draw that are not a model's: reviews to do or done, contributions.
    values |= {"to_do", "reviewed", "not_written", "signed_off"}
    assert values - coloured == set()


def test_the_directory_shows_each_member_as_a_card_with_its_themes_as_theme_badges(client):
    membership = MembershipFactory(
        organisation__name="River Data Trust", organisation__country="KE", organisation__website="https://river.example"
    )
    themes = list(Theme.objects.order_by("position")[:2])
    themes[0].colour, themes[1].colour = "amber", "violet"
    Theme.objects.bulk_update(themes, ["colour"])
    membership.themes.set(themes)
    viewer = ParticipantFactory(membership=membership, show_contact_details=True, user__name="Maya Okafor")
    client.force_login(viewer.user)
    html = client.get(reverse("cohorts:directory", args=[membership.cohort.slug])).content.decode()
    card = html[html.index('<article class="cn-card org-card') : html.index("</article>")]
    assert f'<h3 id="org-{membership.organisation.pk}" class="h5 mb-1">River Data Trust</h3>' in card
    assert "Kenya</span>" in card
    assert 'href="https://river.example" rel="noopener"' in card
    assert "river.example</a>" in card
    assert re.findall(r'<li class="theme-badge (theme-\w+)">([^<]+)</li>', card) == [
        ("theme-amber", themes[0].name),
        ("theme-violet", themes[1].name),
    ]
    assert f'Maya Okafor · <a href="mailto:{viewer.user.email}"' in card


def test_a_contribution_signed_off_shows_as_a_signed_off_badge(client):
    participant = ParticipantFactory()
    theme = Theme.objects.order_by("position").first()
    Contribution.objects.create(
        membership=participant.membership, theme=theme, learnings="x", signed_off_at=timezone.now()
    )
    client.force_login(participant.user)
    html = client.get(reverse("cohorts:contributions", args=[participant.membership.cohort.slug])).content.decode()
    assert '<span class="badge rounded-pill state-badge state-signed_off">Signed off</span>' in html
    assert html.count('<span class="badge rounded-pill state-badge state-not_written">Not written</span>') == (
        Theme.objects.count() - 1
    )


def test_admin_pages_link_the_sites_icons(client, settings):
    """Without a link the browser asks for /favicon.ico on every admin page: a 404 in the console each time."""
    settings.ADMIN_REQUIRE_MFA = False
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for path in (reverse("admin:index"), reverse("admin:applications_opencall_add")):
        links = [link for link in _parse(client.get(path)).head_links if link.get("rel") == "icon"]
        assert [link["href"] for link in links] == ["/static/favicon.svg", "/static/favicon-32.png"], path
