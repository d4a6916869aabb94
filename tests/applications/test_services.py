from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from applications import services
from applications.models import Application, Question, ReviewAssignment, Transition
from cohorts.models import Membership, Participant
from notifications.models import Email
from tests.factories import (
    ApplicationFactory,
    OpenCallFactory,
    OrganisationPersonFactory,
    QuestionFactory,
    UserFactory,
    reviewer,
)

pytestmark = pytest.mark.django_db

S = Application.Status
# 31 August 2026, 23:59 in London (BST, UTC+1) is 22:59 UTC.
CLOSES = datetime(2026, 8, 31, 22, 59, tzinfo=UTC)


def _draft(closes=CLOSES, **call_kwargs):
    link = OrganisationPersonFactory()
    call = OpenCallFactory(opens_at=closes - timedelta(days=60), closes_at=closes, **call_kwargs)
    application = ApplicationFactory(call=call, organisation=link.organisation, created_by=link.user)
    return application, link.user


def _submitted():
    application, user = _draft()
    services.application_submit(application=application, user=user, at=CLOSES - timedelta(days=1))
    application.refresh_from_db()
    return application, user


# --- Deadlines -------------------------------------------------------------------------


def test_submit_one_second_before_closing_is_accepted():
    application, user = _draft()
    submitted = services.application_submit(application=application, user=user, at=CLOSES - timedelta(seconds=1))
    assert submitted.status == S.SUBMITTED
    assert submitted.submitted_at == CLOSES - timedelta(seconds=1)


def test_submit_at_the_closing_instant_is_accepted():
    application, user = _draft()
    assert services.application_submit(application=application, user=user, at=CLOSES).status == S.SUBMITTED


def test_submit_one_second_after_closing_is_refused_and_draft_kept():
    application, user = _draft()
    with pytest.raises(ValidationError) as excinfo:
        services.application_submit(application=application, user=user, at=CLOSES + timedelta(seconds=1))
    assert excinfo.value.messages == [
        "This call closed on 31 August 2026 at 23:59 BST (Europe/London). "
        "Your draft is kept, but it can no longer be changed or submitted."
    ]
    application.refresh_from_db()
    assert application.status == S.DRAFT
    assert application.data_stewarded == "An open register of companies, used by journalists."


@pytest.mark.parametrize(
    ("zone", "closes", "expected"),
    [
        # 23:59 in Nairobi (UTC+3, no daylight saving) is 20:59 UTC.
        ("Africa/Nairobi", datetime(2026, 8, 31, 20, 59, tzinfo=UTC), "31 August 2026 at 23:59 EAT (Africa/Nairobi)"),
        # 23:59 in Auckland on 1 Oct 2026 is just after NZ clocks went forward (27 Sep): NZDT, UTC+13.
        (
            "Pacific/Auckland",
            datetime(2026, 10, 1, 10, 59, tzinfo=UTC),
            "1 October 2026 at 23:59 NZDT (Pacific/Auckland)",
        ),
        # 09:00 in London on 26 Oct 2026, the morning after clocks went back: GMT, UTC+0.
        ("Europe/London", datetime(2026, 10, 26, 9, 0, tzinfo=UTC), "26 October 2026 at 09:00 GMT (Europe/London)"),
    ],
)
def test_deadline_is_exact_in_the_calls_zone(zone, closes, expected):
    application, user = _draft(closes=closes, time_zone=zone)
    services.application_submit(application=application, user=user, at=closes - timedelta(seconds=1))

    late, late_user = _draft(closes=closes, time_zone=zone)
    with pytest.raises(ValidationError) as excinfo:
        services.application_submit(application=late, user=late_user, at=closes + timedelta(seconds=1))
    assert expected in excinfo.value.messages[0]


def test_saving_a_draft_after_the_deadline_is_refused():
    application, user = _draft()
    with pytest.raises(ValidationError):
        services.application_save_draft(
            application=application, user=user, answers={"licence": "late"}, at=CLOSES + timedelta(seconds=1)
        )
    application.refresh_from_db()
    assert application.licence == "CC BY 4.0"


def test_an_individual_extension_lets_one_organisation_submit_late():
    application, user = _draft()
    Application.objects.filter(pk=application.pk).update(deadline_extended_until=CLOSES + timedelta(days=2))
    other, other_user = _draft()
    at = CLOSES + timedelta(days=1)

    assert services.application_submit(application=application, user=user, at=at).status == S.SUBMITTED
    with pytest.raises(ValidationError):
        services.application_submit(application=other, user=other_user, at=at)


# --- Submission --------------------------------------------------------------------------


def test_submit_with_missing_answers_names_each_field():
    application, user = _draft()
    Application.objects.filter(pk=application.pk).update(licence="  ", funding_requested=None, consent_to_publish=False)
    application.themes.clear()
    with pytest.raises(ValidationError) as excinfo:
        services.application_submit(application=application, user=user, at=CLOSES - timedelta(days=1))
    assert sorted(excinfo.value.message_dict) == ["consent_to_publish", "funding_requested", "licence", "themes"]
    assert excinfo.value.message_dict["licence"] == ["Please answer this question before submitting."]


@pytest.mark.parametrize(
    ("cap", "requested", "message"),
    [
        ("10000.00", "10000.01", "Enter an amount of at most £10,000"),
        ("7500.50", "7500.51", "Enter an amount of at most £7,500.50"),
    ],
)
def test_submit_over_the_calls_cap_is_refused_in_the_forms_words(cap, requested, message):
    application, user = _draft(funding_cap=Decimal(cap))
    Application.objects.filter(pk=application.pk).update(funding_requested=Decimal(requested))
    with pytest.raises(ValidationError) as excinfo:
        services.application_submit(application=application, user=user, at=CLOSES - timedelta(days=1))
    assert excinfo.value.message_dict == {"funding_requested": [message]}


def test_a_required_extra_question_must_be_answered_to_submit():
    application, user = _draft()
    question = QuestionFactory(
        call=application.call, label="Your API's uptime", kind=Question.Kind.NUMBER, required=True
    )
    with pytest.raises(ValidationError) as excinfo:
        services.application_submit(application=application, user=user, at=CLOSES - timedelta(days=1))
    assert excinfo.value.message_dict == {question.field_name: ["Please answer this question before submitting."]}

    services.application_save_draft(
        application=application, user=user, answers={}, extra={str(question.pk): "99.9"}, at=CLOSES - timedelta(days=1)
    )
    assert services.application_submit(application=application, user=user, at=CLOSES - timedelta(days=1)).status == (
        S.SUBMITTED
    )


@pytest.mark.parametrize(
    ("kind", "choices", "value", "message"),
    [
        (Question.Kind.SINGLE_CHOICE, "Yes\nNo", "Maybe", "Choose one of the options."),
        (Question.Kind.MULTIPLE_CHOICE, "API\nBulk", ["API", "Fax"], "Choose from the options."),
        (Question.Kind.YES_NO, "", "perhaps", "Answer yes or no."),
        (Question.Kind.URL, "", "not a url", "Enter a valid URL."),
        (Question.Kind.NUMBER, "", "NaN", "Enter a number."),
        (Question.Kind.SHORT_TEXT, "", "x" * 301, "Please keep this under 300 characters."),
        # The form's limits, held by the service too (one source: services.ANSWER_MAX_LENGTH, NUMBER_MAX_DIGITS).
        (Question.Kind.URL, "", "https://example.org/" + "x" * 481, "Please keep this under 500 characters."),
        (Question.Kind.NUMBER, "", "1.23456", "Ensure that there are no more than 4 decimal places."),
        (
            Question.Kind.NUMBER,
            "",
            "12345678901",
            "Ensure that there are no more than 10 digits before the decimal point.",
        ),
    ],
)
def test_extra_answers_are_checked_by_kind(kind, choices, value, message):
    application, user = _draft()
    question = QuestionFactory(call=application.call, kind=kind, choices=choices)
    with pytest.raises(ValidationError) as excinfo:
        services.application_save_draft(
            application=application,
            user=user,
            answers={},
            extra={str(question.pk): value},
            at=CLOSES - timedelta(days=1),
        )
    assert excinfo.value.message_dict == {question.field_name: [message]}


def test_submitting_writes_the_confirmation_to_the_outbox_once():
    application, user = _submitted()
    (email,) = Email.objects.all()
    assert email.key == f"application:{application.pk}:submitted"
    assert email.to_email == user.email
    assert email.status == Email.Status.QUEUED
    assert "CC BY 4.0" in email.body_text
    # In the call's own zone, not UTC.
    assert "submitted on Sunday 30 August 2026, 23:59 BST (Europe/London)" in email.body_text
    assert list(Transition.objects.values_list("from_status", "to_status", "by")) == [("draft", "submitted", user.pk)]


def test_someone_outside_the_organisation_cannot_submit():
    application, _user = _draft()
    with pytest.raises(PermissionDenied):
        services.application_submit(application=application, user=UserFactory(), at=CLOSES - timedelta(days=1))


def test_database_allows_one_live_application_per_organisation_per_call():
    application = ApplicationFactory()
    with pytest.raises(IntegrityError):
        ApplicationFactory(call=application.call, organisation=application.organisation)


def test_a_withdrawn_application_does_not_block_a_new_one():
    application = ApplicationFactory(status=S.WITHDRAWN)
    again = ApplicationFactory(call=application.call, organisation=application.organisation)
    assert again.status == S.DRAFT


def test_start_returns_the_existing_live_application():
    link = OrganisationPersonFactory()
    call = OpenCallFactory()
    first = services.application_start(call=call, organisation=link.organisation, user=link.user)
    second = services.application_start(call=call, organisation=link.organisation, user=link.user)
    assert first.pk == second.pk
    assert Application.objects.count() == 1


def test_start_on_a_closed_call_is_refused():
    link = OrganisationPersonFactory()
    call = OpenCallFactory(opens_at=CLOSES - timedelta(days=60), closes_at=CLOSES)
    with pytest.raises(ValidationError):
        services.application_start(call=call, organisation=link.organisation, user=link.user)
    assert Application.objects.count() == 0


# --- Workflow ----------------------------------------------------------------------------


def test_withdrawal_is_possible_until_a_decision():
    application, user = _submitted()
    services.application_withdraw(application=application, user=user, note="Not this year")
    application.refresh_from_db()
    assert application.status == S.WITHDRAWN
    assert Transition.objects.filter(application=application).last().note == "Not this year"


def test_withdrawal_after_a_decision_is_refused():
    application, user = _submitted()
    staff = UserFactory(is_staff=True)
    services.application_transition(application=application, to=S.UNDER_REVIEW, by=staff)
    services.application_transition(application=application, to=S.REJECTED, by=staff)
    with pytest.raises(ValidationError) as excinfo:
        services.application_withdraw(application=application, user=user)
    assert excinfo.value.messages == ["This application has been decided and can no longer be withdrawn."]


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([S.UNDER_REVIEW, S.ACCEPTED], None),
        ([S.UNDER_REVIEW, S.INTERVIEW, S.WAITLISTED, S.ACCEPTED], None),
        (
            [S.ACCEPTED],
            "A submitted application must be put under review before it can be accepted: "
            "assign a reviewer or choose “Start review”.",
        ),
        (
            [S.UNDER_REVIEW, S.REJECTED, S.ACCEPTED],
            "A declined application has been decided: its status cannot change any more.",
        ),
    ],
)
def test_only_allowed_transitions_happen_and_each_is_recorded(path, refused):
    application, _user = _submitted()
    staff = UserFactory(is_staff=True)
    *allowed, last = path
    for status in allowed:
        services.application_transition(application=application, to=status, by=staff)
    if refused:
        with pytest.raises(ValidationError) as excinfo:
            services.application_transition(application=application, to=last, by=staff)
        assert excinfo.value.messages == [refused]
        expected = [S.DRAFT, S.SUBMITTED, *allowed]
    else:
        services.application_transition(application=application, to=last, by=staff)
        expected = [S.DRAFT, S.SUBMITTED, *path]
    steps = list(Transition.objects.filter(application=application).values_list("from_status", "to_status"))
    assert steps == list(zip(expected, expected[1:], strict=False))


def test_accept_makes_the_organisation_a_member_and_holds_a_decision_email_per_person():
    application, user = _submitted()
    colleague = OrganisationPersonFactory(organisation=application.organisation, role="member").user
    staff = UserFactory(is_staff=True)
    services.application_transition(application=application, to=S.UNDER_REVIEW, by=staff)

    membership = services.application_accept(application=application, decided_by=staff)

    application.refresh_from_db()
    assert application.status == S.ACCEPTED
    assert application.decided_by == staff
    assert membership.cohort == application.call.cohort
    assert membership.source == Membership.Source.APPLICATION
    roles = dict(Participant.objects.filter(membership=membership).values_list("user__email", "role"))
    assert roles == {user.email: "lead", colleague.email: "participant"}
    held = Email.objects.filter(kind="decision").order_by("to_email")
    assert [(e.to_email, e.status) for e in held] == sorted([(user.email, "held"), (colleague.email, "held")])
    assert held[0].subject == f"Your application to {application.call.title} has been accepted"


def test_a_decision_uses_the_calls_own_template():
    application, user = _submitted()
    application.call.decision_templates.create(
        decision="rejected", subject="$organisation and $call", body="Dear $name, see $status_url"
    )
    staff = UserFactory(is_staff=True)
    services.application_transition(application=application, to=S.UNDER_REVIEW, by=staff)
    services.application_transition(application=application, to=S.REJECTED, by=staff)
    email = Email.objects.get(kind="decision")
    assert email.subject == f"{application.organisation.name} and {application.call.title}"
    assert email.body_text == f"Dear {user.name}, see http://127.0.0.1:8000/applications/{application.pk}/"


def test_invitation_is_sent_once():
    call = OpenCallFactory()
    invitation = call.invitations.create(organisation_name="Tide Trust", contact_email="hello@tide.example")
    staff = UserFactory(is_staff=True)
    services.invitation_send(invitation=invitation, by=staff)
    first_sent = Email.objects.get().created_at
    services.invitation_send(invitation=invitation, by=staff)
    assert Email.objects.count() == 1
    assert Email.objects.get().created_at == first_sent
    invitation.refresh_from_db()
    assert invitation.sent_at is not None
    assert invitation.get_absolute_url() in Email.objects.get().body_text


def test_only_reviewers_group_members_can_be_assigned():
    from django.core.exceptions import ValidationError

    from applications.services import review_assign

    application = ApplicationFactory(status=Application.Status.UNDER_REVIEW)
    with pytest.raises(ValidationError):
        review_assign(application=application, reviewer=UserFactory(), by=UserFactory(is_staff=True))
    assignment = review_assign(application=application, reviewer=reviewer(), by=UserFactory(is_staff=True))
    assert ReviewAssignment.objects.get() == assignment


# --- Draft saves refuse on their own (issue #20: the page no longer checks before the service) ---------


def test_someone_outside_the_organisation_cannot_save_a_draft():
    application, _user = _draft()
    stranger = UserFactory()
    with pytest.raises(PermissionDenied):
        services.application_save_draft(
            application=application, user=stranger, answers={"licence": "theirs"}, at=CLOSES - timedelta(days=1)
        )
    with pytest.raises(PermissionDenied), services.draft_edit(pk=application.pk, user=stranger):
        pytest.fail("the block must not run for someone outside the organisation")
    application.refresh_from_db()
    assert application.licence == "CC BY 4.0"


def test_a_missing_draft_is_refused_like_someone_elses():
    _application, user = _draft()
    with pytest.raises(PermissionDenied), services.draft_edit(pk=0, user=user):
        pytest.fail("the block must not run for a draft that does not exist")


def test_a_draft_edit_refuses_a_submitted_application_and_one_past_its_deadline():
    submitted, user = _submitted()
    early = CLOSES - timedelta(days=1)
    with (
        pytest.raises(ValidationError, match="can no longer be changed"),
        services.draft_edit(pk=submitted.pk, user=user, at=early),
    ):
        pytest.fail("the block must not run for a submitted application")
    late, late_user = _draft()
    with (
        pytest.raises(ValidationError, match="closed on"),
        services.draft_edit(pk=late.pk, user=late_user, at=CLOSES + timedelta(seconds=1)),
    ):
        pytest.fail("the block must not run after the deadline")


def test_a_draft_edit_checks_answers_to_the_questions_it_read():
    application, user = _draft()
    question = QuestionFactory(call=application.call, kind=Question.Kind.NUMBER)
    with services.draft_edit(pk=application.pk, user=user, at=CLOSES - timedelta(days=1)) as draft:
        assert draft.questions == [question]
        with pytest.raises(ValidationError) as excinfo:
            draft.save(answers={}, extra={str(question.pk): "NaN"})
    assert excinfo.value.message_dict == {question.field_name: ["Enter a number."]}


@pytest.mark.parametrize("amount", [Decimal("0.00"), Decimal("20000.01")])
def test_the_funding_range_is_checked_in_python_with_the_constraints_words(django_assert_num_queries, amount):
    """Django asks the database to check a CheckConstraint; each draft save paid that twice (issue #20)."""
    application = ApplicationFactory.build(funding_requested=amount)
    (constraint,) = [c for c in Application._meta.constraints if c.name.endswith("funding_requested_range")]
    with pytest.raises(ValidationError) as databases:
        constraint.validate(Application, application)
    with django_assert_num_queries(0), pytest.raises(ValidationError) as python:
        application.validate_constraints(exclude={"call", "organisation", "created_by", "invitation", "status"})
    assert python.value.messages == databases.value.messages
    application.funding_requested = Decimal("12500.50")
    with django_assert_num_queries(0):
        application.validate_constraints(exclude={"call", "organisation", "created_by", "invitation", "status"})
