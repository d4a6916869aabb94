"""cohortnet/admin_site.py, admin/nav_sidebar.html, admin/index.html: the admin's lists of models are cached
fragments keyed on the viewer's app list, the language and the page's path (issue #20).

Another viewer with other permissions, or a change of permissions through the admin, is another key: nobody
sees lists they may not open, and a permission granted shows at once.
"""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from tests.factories import UserFactory
from tests.test_admin_refusals import admin_form_data

pytestmark = pytest.mark.django_db

INSTALMENTS = reverse("admin:funding_instalment_changelist")
AWARDS = reverse("admin:funding_award_changelist")


def _sidebar(response) -> str:
    return re.search(r'<nav class="sticky" id="nav-sidebar".*?</nav>', response.content.decode(), re.S)[0]


def _viewer(*codenames):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def test_each_viewer_sees_only_the_lists_they_may_open(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert f'href="{AWARDS}"' in _sidebar(client.get(INSTALMENTS))
    client.force_login(_viewer("view_instalment"))
    sidebar = _sidebar(client.get(INSTALMENTS))
    assert f'href="{INSTALMENTS}"' in sidebar
    assert f'href="{AWARDS}"' not in sidebar


def test_a_permission_granted_in_the_admin_shows_at_once(client):
    viewer = _viewer("view_instalment")
    client.force_login(viewer)
    assert f'href="{AWARDS}"' not in _sidebar(client.get(INSTALMENTS))
    assert f'href="{AWARDS}"' not in client.get(reverse("admin:index")).content.decode()
    group = Group.objects.create(name="Award readers")
    group.permissions.add(Permission.objects.get(codename="view_award"))
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:users_user_change", args=[viewer.pk])
    data = admin_form_data(client.get(url))
    data["groups"] = [str(group.pk)]
    assert client.post(url, data).status_code == 302
    viewer.refresh_from_db()
    assert list(viewer.groups.all()) == [group]
    client.force_login(viewer)
    assert f'href="{AWARDS}"' in _sidebar(client.get(INSTALMENTS))
    assert f'href="{AWARDS}"' in client.get(reverse("admin:index")).content.decode()


def test_the_sidebar_marks_the_list_of_the_page(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert re.search(rf'<a href="{INSTALMENTS}" aria-current="page">', _sidebar(client.get(INSTALMENTS)))
    sidebar = _sidebar(client.get(AWARDS))
    assert re.search(rf'<a href="{AWARDS}" aria-current="page">', sidebar)
    assert not re.search(rf'<a href="{INSTALMENTS}" aria-current="page">', sidebar)
