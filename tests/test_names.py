"""People are named, and credited with their organisation, in threads and emails: never by email address."""

import pytest
from django.urls import reverse

from cohorts import services
from notifications.models import Email
from notifications.services import render_email
from tests.factories import MembershipFactory, OrganisationPersonFactory, ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread_world():
    maya = ParticipantFactory(
        user__name="Maya Okafor",
        user__email="maya@riverdata.example",
        membership__organisation__name="River Data Trust",
    )
    cohort = maya.membership.cohort
    nameless = ParticipantFactory(
        user__name="",
        user__email="old.account@coastalbirds.example",
        membership=MembershipFactory(cohort=cohort, organisation__name="Coastal Birds Open Atlas"),
    )
    staff = UserFactory(is_staff=True, name="Sam Lee", email="sam@programme.example")
    root = services.message_post(cohort=cohort, author=maya.user, subject="Licences that work", body="Which one?")
    services.message_post(cohort=cohort, author=staff, body="CC BY 4.0 for most.", parent=root)
    services.message_post(cohort=cohort, author=nameless.user, body="ODbL for ours.", parent=root)
    return maya, nameless, staff, root


def test_the_thread_names_each_author_with_their_organisation_never_their_address(client, thread_world):
    maya, nameless, staff, root = thread_world
    client.force_login(nameless.user)
    html = client.get(root.get_absolute_url()).content.decode()
    authors = html.split('<span class="fw-semibold text-body message-author">')[1:]
    assert [a.split("</span>")[0] for a in authors] == [
        "Maya Okafor, River Data Trust",
        "Sam Lee, programme team",
        "Someone at Coastal Birds Open Atlas",
    ]
    for address in ("maya@riverdata.example", "sam@programme.example", "old.account@coastalbirds.example"):
        assert address not in html


def test_the_message_list_names_the_thread_starter_with_their_organisation(client, thread_world):
    maya, _nameless, _staff, root = thread_world
    client.force_login(maya.user)
    html = client.get(reverse("cohorts:messages", args=[root.cohort.slug])).content.decode()
    assert "Maya Okafor, River Data Trust · " in html
    assert "maya@riverdata.example" not in html


def test_the_list_email_credits_the_author_by_name_and_organisation(thread_world):
    maya, nameless, _staff, root = thread_world
    (email,) = Email.objects.filter(key=f"message:{root.pk}:{nameless.user.pk}")
    assert email.body_text.startswith(f"Maya Okafor, River Data Trust wrote to {root.cohort.name}:\n\nWhich one?")
    assert "maya@riverdata.example" not in email.body_text


def test_a_nameless_author_is_credited_by_organisation_in_the_email():
    nameless = ParticipantFactory(
        user__name="", user__email="old.account@coastalbirds.example", membership__organisation__name="Coastal Birds"
    )
    reader = ParticipantFactory(membership=nameless.membership)
    cohort = nameless.membership.cohort
    root = services.message_post(cohort=cohort, author=nameless.user, subject="Hello", body="Hi all")
    (email,) = Email.objects.filter(key=f"message:{root.pk}:{reader.user.pk}")
    assert email.body_text.startswith(f"Someone at Coastal Birds wrote to {cohort.name}:")
    assert "old.account@coastalbirds.example" not in email.body_text


@pytest.mark.parametrize(("name", "greeting"), [("Maya Okafor", "Hello Maya Okafor,"), ("", "Hello there,")])
def test_reminders_greet_by_name_or_there_never_by_address(name, greeting):
    from django.utils import timezone

    from tests.factories import ApplicationFactory

    user = UserFactory(name=name, email="maya@riverdata.example")
    application = ApplicationFactory(created_by=user)
    text, html = render_email(
        "applications/email/reminder_draft",
        {
            "user": user,
            "application": application,
            "time_left": "2 days",
            "deadline": timezone.now(),
            "site_url": "https://cohortnet.example",
            "opt_out_link": "https://cohortnet.example/stop",
        },
    )
    assert text.startswith(f"{greeting}\n\nThe application from")
    assert "maya@riverdata.example" not in text
    assert "maya@riverdata.example" not in html


def test_a_colleague_invitation_names_the_inviter_and_never_greets_with_an_address():
    lead = OrganisationPersonFactory(
        organisation__name="River Data Trust", user__name="", user__email="old.lead@riverdata.example"
    )
    services.colleague_invite(organisation=lead.organisation, email="grace@riverdata.example", by=lead.user)
    (email,) = Email.objects.filter(kind="colleague_invite")
    assert email.subject == "A colleague invites you to join River Data Trust on CohortNet"
    assert email.body_text.startswith("Hello,\n\nA colleague has invited you to act for River Data Trust on CohortNet")
    assert "old.lead@riverdata.example" not in email.body_text + email.subject


def test_a_named_inviter_is_named():
    lead = OrganisationPersonFactory(organisation__name="River Data Trust", user__name="Maya Okafor")
    services.colleague_invite(organisation=lead.organisation, email="grace@riverdata.example", by=lead.user)
    (email,) = Email.objects.filter(kind="colleague_invite")
    assert email.subject == "Maya Okafor invites you to join River Data Trust on CohortNet"
    assert "\n\nMaya Okafor has invited you to act for River Data Trust" in email.body_text
