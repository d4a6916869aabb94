"""The two-factor guard and the navbar share one read of who the person is (issue #20).

Before, every signed-in request asked the database for the person's groups (the guard) and again
for their review assignments (the navbar's "Reviews" link). Now both come in one query, and staff
(who need a second factor whatever their groups) cost the guard no query at all.
"""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ReviewAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db

REVIEWS_LINK = f'href="{"/reviews/"}"'


@pytest.fixture(autouse=True)
def mfa_on(settings):
    settings.ADMIN_REQUIRE_MFA = True


def _who_queries(client, path) -> tuple[list[str], str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    sqls = [q["sql"] for q in queries.captured_queries]
    return [s for s in sqls if "auth_group" in s or "applications_reviewassignment" in s], response


def test_a_person_without_groups_costs_one_query_for_the_guard_and_the_navbar(client):
    client.force_login(UserFactory())
    who, response = _who_queries(client, reverse("applications:list"))
    assert response.status_code == 200
    assert len(who) == 1
    assert REVIEWS_LINK not in response.content.decode()


def test_a_reviewer_sees_the_reviews_link_and_is_still_asked_for_a_second_factor(client):
    assignment = ReviewAssignmentFactory()
    client.force_login(assignment.reviewer)
    response = client.get(reverse("applications:list"))
    assert response.status_code == 302
    assert "/2fa/" in response["Location"] or "mfa" in response["Location"]


def test_a_person_with_reviews_sees_the_link(client, settings):
    settings.ADMIN_REQUIRE_MFA = False
    assignment = ReviewAssignmentFactory()
    assignment.reviewer.groups.clear()
    client.force_login(assignment.reviewer)
    who, response = _who_queries(client, reverse("applications:list"))
    assert len(who) == 1
    assert REVIEWS_LINK in response.content.decode()


def test_added_to_a_privileged_group_the_next_request_needs_a_second_factor(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("applications:list")).status_code == 200
    user.groups.add(Group.objects.get(name="Finance"))
    assert client.get(reverse("applications:list")).status_code == 302


def test_staff_cost_the_guard_no_query(client):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    who, response = _who_queries(client, reverse("applications:list"))
    assert response.status_code == 302  # no second factor in this session: sent to set one up
    assert who == []
