"""A person's data download tells no decision before the organisation is told: no feedback before the
decision email is sent, no held (or cancelled) decision email."""

import pytest
from django.apps import apps
from django.utils import timezone

from applications.models import Application
from notifications.models import Email
from privacy.exports import EXPORTS, rows_of, serialise
from tests.factories import ApplicationFactory, UserFactory

pytestmark = [pytest.mark.django_db]


def _decided(person):
    application = ApplicationFactory(
        created_by=person, status=Application.Status.ACCEPTED, feedback="Strong governance; grow the users."
    )
    email = Email.objects.create(
        key=f"decision:{application.pk}:accepted:{person.pk}",
        kind="decision",
        to_email=person.email,
        subject="Your application was accepted",
        body_text="Accepted.",
        status=Email.Status.HELD,
    )
    return application, email


def _exported(label, person):
    model_rows = rows_of(apps.get_model(label), person)
    return [serialise(row, EXPORTS[label]) for row in model_rows]


@pytest.mark.parametrize("status", [Email.Status.HELD, Email.Status.QUEUED, Email.Status.CANCELLED])
def test_no_feedback_and_no_unsent_decision_email_before_it_is_sent(status):
    person = UserFactory(email="maya@tide.example")
    application, email = _decided(person)
    Email.objects.filter(pk=email.pk).update(status=status)
    [row] = _exported("applications.Application", person)
    assert row["feedback"] == ""
    subjects = [r["subject"] for r in _exported("notifications.Email", person)]
    assert subjects == ([] if status != Email.Status.QUEUED else ["Your application was accepted"])


def test_feedback_and_the_email_once_the_decision_email_is_sent():
    person = UserFactory(email="maya@tide.example")
    application, email = _decided(person)
    Email.objects.filter(pk=email.pk).update(status=Email.Status.SENT, sent_at=timezone.now())
    [row] = _exported("applications.Application", person)
    assert row["feedback"] == "Strong governance; grow the users."
    assert [r["subject"] for r in _exported("notifications.Email", person)] == ["Your application was accepted"]
