"""cohorts/services.py: the mailing list writes one outbox row per participant."""

import pytest

from cohorts import services
from notifications.models import Email
from notifications.services import emails_send_due
from tests.factories import CohortFactory, MembershipFactory, ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_message_to_50_participants_is_50_emails_each_sent_once(mailoutbox):
    cohort = CohortFactory()
    memberships = [MembershipFactory(cohort=cohort) for _ in range(5)]
    people = [ParticipantFactory(membership=memberships[i % 5]) for i in range(50)]
    staff = UserFactory(is_staff=True)
    message = services.message_post(cohort=cohort, author=staff, subject="Roundtable notes", body="Attached.")
    assert Email.objects.filter(kind="cohort_message").count() == 50

    assert emails_send_due() == 50
    assert emails_send_due() == 0  # the task running twice sends nothing twice
    assert len(mailoutbox) == 50
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.user.email for p in people)
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mailoutbox)
    assert message.get_absolute_url() in mailoutbox[0].body
