"""Hostile input across forms: never a 500, nothing half-saved, nothing executed, no header injection."""

import pytest
from django.urls import reverse

from cohorts.models import Message, Organisation
from notifications.models import Email
from notifications.services import emails_send_due
from tests.factories import OrganisationPersonFactory, ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_too_many_fields_is_a_400_not_a_500(client, settings):
    client.force_login(UserFactory())
    data = {f"field{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 10)}
    response = client.post(reverse("cohorts:organisation_create"), {**data, "name": "Tide"})
    assert response.status_code == 400
    assert Organisation.objects.count() == 0


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:x"])
def test_script_urls_are_refused(client, url):
    client.force_login(UserFactory())
    response = client.post(reverse("cohorts:organisation_create"), {"name": "Tide", "website": url})
    assert response.status_code == 200
    assert response.context["form"].errors["website"] == ["Enter a valid URL."]
    assert Organisation.objects.count() == 0


def test_a_line_break_in_a_subject_cannot_inject_headers(client, mailoutbox):
    participant = ParticipantFactory()
    cohort = participant.membership.cohort
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    subject = "Hello\r\nBcc: everyone@example.org"
    client.post(reverse("cohorts:messages", args=[cohort.slug]), {"subject": subject, "body": "Hi"})
    email = Email.objects.get(kind="cohort_message")
    assert email.subject == f"[{cohort.name}] Hello Bcc: everyone@example.org"
    emails_send_due()
    (message,) = mailoutbox
    assert message.bcc == []
    assert "\n" not in message.subject
    assert Message.objects.get().subject == subject.strip()  # the archive keeps what was typed


def test_markup_typed_anywhere_is_shown_as_text(client):
    link = OrganisationPersonFactory(organisation__name="<script>alert('x')</script>")
    client.force_login(link.user)
    page = client.get(link.organisation.get_absolute_url()).content.decode()
    assert "<script>alert('x')</script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
