"""A person who has touched every model that points at a user: the erasure and export tests share them."""

from datetime import date, timedelta
from decimal import Decimal

from allauth.mfa.models import Authenticator
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.base import ContentFile
from django.utils import timezone

from applications.models import InterviewSlot, Invitation, ReviewAssignment, Transition
from chat import services as chat_services
from cohorts import services as cohort_services
from cohorts.models import ColleagueInvite, Contribution, Theme
from events import services as event_services
from events.models import SupportSlot
from funding import services as funding_services
from notifications.models import Email, ReminderOptOut
from notifications.services import email_queue
from outcomes import publication_services
from outcomes.models import PublicationSection, PublicationSignOff, PublicationVersion
from privacy import services as privacy_services
from privacy.models import AccessRecord, Consent, DataExport, PrivacyNotice
from tests.factories import ApplicationFactory, ParticipantFactory, UserFactory
from tests.helpers import World
from tests.outcomes.reports_helpers import add_report_written_by

NAME = "Zephyrine Quillfeather"
EMAIL = "zephyrine.quill@example.org"


def _publication_rows(world, person):
    """A synthesis they wrote, a sign-off they gave, their credit choice (named) and a version they published."""
    publication = world.publication
    PublicationSection.objects.create(
        publication=publication, theme=Theme.objects.first(), text="What we learned.", updated_by=person
    )
    PublicationSignOff.objects.create(
        publication=publication, organisation=world.org_a, signed_by=person, signed_at=timezone.now(), digest="0" * 64
    )
    publication_services.publication_credit_set(publication=publication, user=person, choice="named")
    PublicationVersion.objects.create(
        publication=publication,
        number=2,
        title="Output",
        sections=[{"theme": "Theme", "text": "What we learned."}],
        contributors=publication_services.contributor_list(publication),
        licence="CC-BY-4.0",
        published_at=timezone.now(),
        published_by=person,
    )


def person_in_every_model(*, finance_role: bool = True):
    """``(world, person)``: World's lead participant, renamed, with a row in every model that points at a user."""
    world = World()
    person = world.participant.user
    person.name, person.email = NAME, EMAIL
    person.save()
    person.emailaddress_set.update(email=EMAIL)
    staff = world.users["staff"]
    membership = world.participant.membership
    # Someone else in the cohort, so a thread is emailed to somebody and names its author.
    ParticipantFactory(membership=membership)

    thread = cohort_services.message_post(cohort=world.cohort_x, author=person, subject="Our data", body="Hello all")
    cohort_services.message_post(cohort=world.cohort_x, author=person, body="A reply", parent=world.thread)
    cohort_services.thread_mark_read(user=person, thread=world.thread)
    room = chat_services.room_get_or_create(cohort=world.cohort_x)
    chat_services.message_post(room=room, author=person, body="Hi in chat")
    chat_services.room_mark_read(user=person, room=room)
    event_services.rsvp_set(event=world.event, user=person, going=True)
    event_services.calendar_token_for(person)
    event_services.written_input_add(event=world.event, user=person, body="My thoughts")
    slot = SupportSlot.objects.create(
        cohort=world.cohort_x,
        host=staff,
        starts_at=timezone.now() + timedelta(days=5),
        ends_at=timezone.now() + timedelta(days=5, hours=1),
    )
    event_services.support_slot_book(slot=slot, user=person)
    InterviewSlot.objects.create(
        call=world.call,
        host=staff,
        starts_at=timezone.now() + timedelta(days=6),
        ends_at=timezone.now() + timedelta(days=6, hours=1),
        application=world.application,
        booked_by_user=person,
    )
    funding_services.time_log(
        membership=membership, user=person, date=date(2026, 11, 2), hours=Decimal("2.00"), activity="Roundtable"
    )
    add_report_written_by(person, membership=membership, staff=staff)
    Contribution.objects.create(
        membership=membership, theme=Theme.objects.first(), learnings="We learnt.", signed_off_by=person
    )
    _publication_rows(world, person)
    ReminderOptOut.objects.create(user=person, kind="event_going")
    Authenticator.objects.create(user=person, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    session = SessionStore()
    session["_auth_user_id"] = str(person.pk)
    session.create()

    # Roles a person holds as staff or reviewer at another time in their life.
    other_application = ApplicationFactory(call=world.call)
    ReviewAssignment.objects.create(application=other_application, reviewer=person, assigned_by=person)
    Transition.objects.create(
        application=world.application, from_status="submitted", to_status="under_review", by=person
    )
    world.application.decided_by = person
    world.application.save(update_fields=["decided_by"])
    Invitation.objects.create(call=world.call, organisation_name="Another", contact_email="x@y.org", created_by=person)
    Invitation.objects.create(call=world.other_call, organisation_name="Mine", contact_name=NAME, contact_email=EMAIL)
    ColleagueInvite.objects.create(organisation=world.org_a, email="colleague@y.org", invited_by=person)
    ColleagueInvite.objects.create(
        organisation=world.org_a,
        email=EMAIL,
        invited_by=world.colleague,
        accepted_by=person,
        accepted_at=timezone.now(),
    )
    if finance_role:
        world.award.created_by = person
        world.award.save(update_fields=["created_by"])
        funding_services.award_update(award=world.award, by=person, notes="Checked")
        world.instalment.approved_by = person
        world.instalment.paid_by = person
        world.instalment.save(update_fields=["approved_by", "paid_by"])
    email = email_queue(key="to-person", kind="test", to=EMAIL, subject=f"Hello {NAME}", body_text=f"Dear {NAME}")
    email.released_by = person
    email.save(update_fields=["released_by"])
    LogEntry.objects.create(
        user=person,
        content_type=ContentType.objects.get_for_model(person),
        object_id=str(person.pk),
        object_repr=str(person),
        action_flag=CHANGE,
        change_message=f"Changed {EMAIL}",
    )
    LogEntry.objects.create(
        user=staff,
        content_type=ContentType.objects.get_for_model(person),
        object_id=str(person.pk),
        object_repr=str(person),
        action_flag=CHANGE,
        change_message="[]",
    )
    AccessRecord.objects.create(who=person, kind=AccessRecord.Kind.CSV_EXPORT, what="x.csv", ip="192.0.2.1")
    export = DataExport.objects.create(user=person, status=DataExport.Status.EXPIRED)
    export.file.save("export.zip", ContentFile(b"PK old"), save=True)
    # A notice they published as staff once, and the choices they made under it.
    notice = PrivacyNotice.objects.create(title="Privacy notice", body="We hold your name.")
    privacy_services.notice_publish(privacynotice=notice, by=person)
    privacy_services.consent_set(user=person, purpose=Consent.Purpose.DIRECTORY, given=True, source="signup")
    _feedback_answered(world, person)
    assert thread.pk
    assert Email.objects.filter(body_text__contains=NAME).exclude(to_email=EMAIL).exists()
    UserFactory()  # someone unrelated, who must come through untouched
    return world, person


def _feedback_answered(world, person) -> None:
    """A named answer to a cohort feedback form (a response, its answer and the "who has answered" row)."""
    from outcomes.models import FeedbackForm, FeedbackQuestion
    from outcomes.services_feedback import feedback_respond

    form = FeedbackForm.objects.create(
        cohort=world.cohort_x,
        title="Mid-point feedback",
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=7),
    )
    question = FeedbackQuestion.objects.create(form=form, label="How useful so far?", kind="scale")
    feedback_respond(form=form, user=person, answers={question.pk: "4"})
