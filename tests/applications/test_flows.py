"""Autosave, sessions that expire, withdrawal, invitations, reviewer pages and the CSV export."""

import csv
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, Invitation, ReviewAssignment, Score
from applications.services import application_transition
from tests.factories import (
    ApplicationFactory,
    CriterionFactory,
    OpenCallFactory,
    OrganisationPersonFactory,
    ReviewAssignmentFactory,
    UserFactory,
    reviewer,
)
from toolbox.csvutils import csv_safe

pytestmark = pytest.mark.django_db


@pytest.fixture
def own(client):
    link = OrganisationPersonFactory()
    application = ApplicationFactory(organisation=link.organisation, created_by=link.user, licence="")
    client.force_login(link.user)
    return client, application


def test_autosave_stores_the_draft_and_says_when(own):
    client, application = own
    response = client.post(reverse("applications:autosave", args=[application.pk]), {"licence": "CC0 1.0"})
    assert response.status_code == 200
    assert "Draft saved automatically at" in response.content.decode()
    application.refresh_from_db()
    assert application.licence == "CC0 1.0"


def test_autosave_with_bad_input_saves_nothing_and_says_so(own):
    client, application = own
    response = client.post(
        reverse("applications:autosave", args=[application.pk]), {"licence": "CC0", "funding_requested": "lots"}
    )
    assert response.status_code == 200
    assert "Not saved yet" in response.content.decode()
    application.refresh_from_db()
    assert application.licence == ""


def test_after_the_session_expired_signing_in_again_returns_to_the_draft_with_nothing_lost(own):
    client, application = own
    user = application.created_by
    client.logout()
    edit = reverse("applications:edit", args=[application.pk])

    response = client.post(edit, {"licence": "Typed while signed out", "save_draft": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={edit}"

    client.force_login(user)
    page = client.get(edit)
    assert 'value="Typed while signed out"' in page.content.decode()
    assert "You were signed out before this was saved" in page.content.decode()
    # Shown once, then gone: the person saves it themselves.
    assert 'value="Typed while signed out"' not in client.get(edit).content.decode()


def test_posting_status_organisation_or_scores_in_the_applicant_form_changes_nothing(own):
    client, application = own
    other_org = OrganisationPersonFactory().organisation
    client.post(
        reverse("applications:edit", args=[application.pk]),
        {
            "licence": "CC BY",
            "status": "accepted",
            "organisation": other_org.pk,
            "weighted_score": "5",
            "deadline_extended_until": "2099-01-01 00:00",
            "save_draft": "1",
        },
    )
    application.refresh_from_db()
    assert application.licence == "CC BY"
    assert application.status == Application.Status.DRAFT
    assert application.organisation_id != other_org.pk
    assert application.deadline_extended_until is None


@pytest.mark.parametrize(
    "name", ["applications:detail", "applications:edit", "applications:withdraw", "applications:autosave"]
)
def test_another_organisations_application_is_a_404(own, name):
    client, _application = own
    other = ApplicationFactory()
    method = client.post if name == "applications:autosave" else client.get
    assert method(reverse(name, args=[other.pk])).status_code == 404
    assert client.post(reverse("applications:withdraw", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.status == Application.Status.DRAFT


def test_withdraw_page(own):
    client, application = own
    response = client.post(reverse("applications:withdraw", args=[application.pk]), {"note": "Next year"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN


@pytest.mark.parametrize(
    "value",
    ["<script>alert(1)</script>", "line one\r\nline two", "x\x00y", "x" * 6000, ""],
)
def test_every_applicant_form_answers_bad_input_without_a_500(own, value):
    client, application = own
    posts = [
        (reverse("applications:edit", args=[application.pk]), {"data_stewarded": value, "save_draft": "1"}),
        (reverse("applications:edit", args=[application.pk]), {"licence": value, "submit_application": "1"}),
        (reverse("applications:autosave", args=[application.pk]), {"time_commitment": value}),
        (reverse("applications:withdraw", args=[application.pk]), {"note": value}),
        (reverse("cohorts:organisation_create"), {"name": value, "year_founded": value}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code in (200, 302), (url, response.status_code)
        assert b"<script>alert(1)</script>" not in response.content


def test_an_invitation_link_records_the_visit_and_prefills_the_organisation(client):
    call = OpenCallFactory()
    invitation = Invitation.objects.create(call=call, organisation_name="Tide Trust", contact_email="a@tide.example")

    # A mail scanner follows the link without signing in: nothing is recorded.
    scanner = Client()
    response = scanner.get(invitation.get_absolute_url())
    assert response["Location"] == reverse("applications:start", args=[call.slug])
    assert scanner.get(response["Location"]).status_code == 302  # to sign in
    invitation.refresh_from_db()
    assert invitation.opened_at is None

    client.force_login(UserFactory())
    response = client.get(invitation.get_absolute_url())
    assert response["Location"] == reverse("applications:start", args=[call.slug])
    invitation.refresh_from_db()
    assert invitation.opened_at is None

    response = client.get(reverse("applications:start", args=[call.slug]))
    invitation.refresh_from_db()
    assert invitation.opened_at is not None
    assert response["Location"].startswith("/organisations/new/?next=")
    page = client.get(response["Location"])
    assert 'value="Tide Trust"' in page.content.decode()


def test_an_application_started_from_an_invitation_is_linked_to_it(client):
    link = OrganisationPersonFactory()
    call = OpenCallFactory()
    invitation = Invitation.objects.create(call=call, organisation_name="Tide", contact_email=link.user.email)
    client.force_login(link.user)
    client.get(invitation.get_absolute_url())
    client.post(reverse("applications:start", args=[call.slug]), {"organisation": link.organisation.pk})
    assert Application.objects.get().invitation == invitation


# --- Reviewers ---------------------------------------------------------------------------


def test_an_unassigned_reviewer_gets_a_404(client):
    assignment = ReviewAssignmentFactory()
    client.force_login(reviewer())
    assert client.get(assignment.get_absolute_url()).status_code == 404
    assert client.post(reverse("applications:review_conflict", args=[assignment.pk])).status_code == 404


def test_a_reviewer_scores_and_only_then_sees_the_others(client):
    call = OpenCallFactory()
    quality = CriterionFactory(call=call, name="Quality", weight=Decimal("3"))
    reach = CriterionFactory(call=call, name="Reach", weight=Decimal("1"))
    mine = ReviewAssignmentFactory(application__call=call)
    theirs = ReviewAssignmentFactory(application=mine.application, submitted_at=timezone.now(), recommendation="reject")
    Score.objects.create(assignment=theirs, criterion=quality, value=1, comment="Secret opinion")
    Score.objects.create(assignment=theirs, criterion=reach, value=1)
    client.force_login(mine.reviewer)

    page = client.get(mine.get_absolute_url())
    assert "Secret opinion" not in page.content.decode()
    assert theirs.reviewer.get_full_name() not in page.content.decode()

    response = client.post(
        mine.get_absolute_url(),
        {f"score_{quality.pk}": "5", f"score_{reach.pk}": "1", "recommendation": "accept", "comment": "Strong"},
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.submitted_at is not None
    assert dict(mine.scores.values_list("criterion__name", "value")) == {"Quality": 5, "Reach": 1}
    page = client.get(mine.get_absolute_url())
    assert theirs.reviewer.get_full_name() in page.content.decode()


@pytest.mark.parametrize("score", ["0", "6", "five", "", "<script>"])
def test_a_score_outside_one_to_five_is_a_field_error(client, score):
    criterion = CriterionFactory()
    assignment = ReviewAssignmentFactory(application__call=criterion.call)
    client.force_login(assignment.reviewer)
    response = client.post(assignment.get_absolute_url(), {f"score_{criterion.pk}": score, "recommendation": "accept"})
    assert response.status_code == 200
    assert response.context["form"].errors[f"score_{criterion.pk}"]
    assert Score.objects.count() == 0


def test_a_reviewer_who_declares_a_conflict_can_no_longer_open_or_score_it(client):
    criterion = CriterionFactory()
    assignment = ReviewAssignmentFactory(application__call=criterion.call)
    client.force_login(assignment.reviewer)
    response = client.post(reverse("applications:review_conflict", args=[assignment.pk]), {"note": "Former employer"})
    assert response["Location"] == reverse("applications:review_list")
    assert client.get(assignment.get_absolute_url()).status_code == 404
    response = client.post(assignment.get_absolute_url(), {f"score_{criterion.pk}": "5", "recommendation": "accept"})
    assert response.status_code == 404
    assignment.refresh_from_db()
    assert assignment.conflict_note == "Former employer"
    assert assignment.submitted_at is None
    assert client.get(reverse("applications:review_list")).context["assignments"].count() == 0


def test_only_reviewers_group_members_can_be_assigned():
    from django.core.exceptions import ValidationError

    from applications.services import review_assign

    application = ApplicationFactory(status=Application.Status.UNDER_REVIEW)
    with pytest.raises(ValidationError):
        review_assign(application=application, reviewer=UserFactory(), by=UserFactory(is_staff=True))
    assignment = review_assign(application=application, reviewer=reviewer(), by=UserFactory(is_staff=True))
    assert ReviewAssignment.objects.get() == assignment


# --- Export -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=HYPERLINK(1)", "'=HYPERLINK(1)"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("Tide", "Tide")],
)
def test_csv_cells_that_look_like_formulas_are_neutralised(value, expected):
    assert csv_safe(value) == expected


def test_admin_csv_export_has_answers_scores_and_no_formulas(client, django_assert_num_queries):
    staff = UserFactory(is_staff=True, is_superuser=True)
    application = ApplicationFactory(licence="=cmd|' /C calc'!A0", status=Application.Status.SUBMITTED)
    application_transition(application=application, to=Application.Status.UNDER_REVIEW, by=staff)
    client.force_login(staff)
    response = client.post(
        reverse("admin:applications_application_changelist"),
        {"action": "export_csv", "_selected_action": [application.pk]},
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["id", "call", "organisation"]
    assert rows[1][2] == application.organisation.name
    assert rows[1][8] == "'=cmd|' /C calc'!A0"
    assert rows[1][5] == "Under review"
