from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from applications import services
from applications.models import Application
from cohorts.models import Membership, Participant
from tests.factories import (
    ApplicationFactory,
    OpenCallFactory,
    OrganisationPersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# 31 August 2026, 23:59 in London (BST, UTC+1) is 22:59 UTC.
CLOSES = datetime(2026, 8, 31, 22, 59, tzinfo=UTC)


def _draft(**kwargs):
    link = OrganisationPersonFactory()
    call = OpenCallFactory(opens_at=CLOSES - timedelta(days=60), closes_at=CLOSES, **kwargs)
    application = ApplicationFactory(call=call, organisation=link.organisation, created_by=link.user)
    return application, link.user


def test_submit_one_second_before_closing_is_accepted():
    application, user = _draft()
    submitted = services.application_submit(application=application, user=user, at=CLOSES - timedelta(seconds=1))
    assert submitted.status == Application.Status.SUBMITTED
    assert submitted.submitted_at == CLOSES - timedelta(seconds=1)


def test_submit_at_the_closing_instant_is_accepted():
    application, user = _draft()
    submitted = services.application_submit(application=application, user=user, at=CLOSES)
    assert submitted.status == Application.Status.SUBMITTED


def test_submit_one_second_after_closing_is_refused_and_draft_kept():
    application, user = _draft()
    with pytest.raises(ValidationError) as excinfo:
        services.application_submit(application=application, user=user, at=CLOSES + timedelta(seconds=1))
    assert excinfo.value.messages == [
        "This call closed on 31 August 2026 at 23:59 BST (Europe/London). "
        "Your draft is kept, but it can no longer be submitted."
    ]
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT
    assert application.data_stewarded == "An open register of companies, used by journalists."


def test_submit_with_missing_answers_names_each_field():
    application, user = _draft()
    Application.objects.filter(pk=application.pk).update(licence="  ", funding_requested=None, consent_to_publish=False)
    with pytest.raises(ValidationError) as excinfo:
        services.application_submit(application=application, user=user, at=CLOSES - timedelta(days=1))
    assert sorted(excinfo.value.message_dict) == ["consent_to_publish", "funding_requested", "licence"]
    assert excinfo.value.message_dict["licence"] == ["Please answer this question before submitting."]


def test_submit_over_the_calls_cap_is_refused():
    application, user = _draft(funding_cap=Decimal("10000.00"))
    Application.objects.filter(pk=application.pk).update(funding_requested=Decimal("10000.01"))
    with pytest.raises(ValidationError) as excinfo:
        services.application_submit(application=application, user=user, at=CLOSES - timedelta(days=1))
    assert excinfo.value.message_dict == {"funding_requested": ["This call funds at most £10,000.00 per organisation."]}


def test_someone_outside_the_organisation_cannot_submit():
    application, _user = _draft()
    with pytest.raises(PermissionDenied):
        services.application_submit(application=application, user=UserFactory(), at=CLOSES - timedelta(days=1))


def test_database_allows_one_live_application_per_organisation_per_call():
    application = ApplicationFactory()
    with pytest.raises(IntegrityError):
        ApplicationFactory(call=application.call, organisation=application.organisation)


def test_a_withdrawn_application_does_not_block_a_new_one():
    application = ApplicationFactory(status=Application.Status.WITHDRAWN)
    again = ApplicationFactory(call=application.call, organisation=application.organisation)
    assert again.status == Application.Status.DRAFT


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


def test_accept_makes_the_organisation_a_member_with_its_people_as_participants():
    application, user = _draft()
    colleague = OrganisationPersonFactory(organisation=application.organisation, role="member").user
    services.application_submit(application=application, user=user, at=CLOSES - timedelta(days=1))
    staff = UserFactory(is_staff=True)

    membership = services.application_accept(application=application, decided_by=staff)

    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED
    assert application.decided_by == staff
    assert membership.cohort == application.call.cohort
    assert membership.source == Membership.Source.APPLICATION
    roles = dict(Participant.objects.filter(membership=membership).values_list("user__email", "role"))
    assert roles == {user.email: "lead", colleague.email: "participant"}


def test_accepting_a_draft_is_refused():
    application = ApplicationFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.application_accept(application=application, decided_by=UserFactory(is_staff=True))
    assert excinfo.value.messages == ["Only submitted applications can be accepted; this one is draft."]
    assert Membership.objects.count() == 0


def test_confirmation_is_sent_once(mailoutbox):
    application, user = _draft()
    services.application_submit(application=application, user=user, at=CLOSES - timedelta(days=1))
    assert services.application_confirmation_send(application_id=application.pk) is True
    assert services.application_confirmation_send(application_id=application.pk) is False
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [user.email]
    assert "CC BY 4.0" in mailoutbox[0].body


def test_sweep_sends_confirmations_that_were_missed(mailoutbox):
    application, user = _draft()
    services.application_submit(application=application, user=user, at=CLOSES - timedelta(days=1))
    assert services.application_confirmations_sweep(now=CLOSES) == 1
    assert services.application_confirmations_sweep(now=CLOSES) == 0
    assert len(mailoutbox) == 1
