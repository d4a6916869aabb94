"""Erasing a person: nothing of their name or address is left, the organisation's records stay, nothing raises."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.sessions.models import Session
from django.db import models
from django.db.models import F, Q, TextField
from django.db.models.functions import Cast
from django.urls import reverse

from applications.models import Application, Invitation, Transition
from chat.models import ChatMessage
from cohorts.models import ColleagueInvite, Message, OrganisationPerson, Participant
from events.models import RSVP, CalendarToken, SupportSlot, WrittenInput
from funding.models import Award, FundingChange, Instalment, TimeEntry
from notifications.models import Email
from privacy.erasure import FORMER_NAME, REMOVED_TEXT, erase_person, erasure_plan
from privacy.exports import people_models, rows_of
from privacy.models import AccessRecord, DataExport
from tests.factories import UserFactory
from tests.privacy.people import EMAIL, NAME, person_in_every_model

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def text_columns_containing(*needles: str) -> list[str]:
    """Every ``app.Model.field`` (text, char, email and JSON columns of every model) holding any needle, any case."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.JSONField):
                column = Cast(field.name, TextField())
            elif isinstance(field, (models.CharField, models.TextField)):
                column = F(field.name)
            else:
                continue
            query = Q()
            for needle in needles:
                query |= Q(_col__icontains=needle)
            if model._default_manager.annotate(_col=column).filter(query).exists():
                found.append(f"{model._meta.label}.{field.name}")
    return sorted(found)


def test_the_person_built_for_these_tests_touches_every_model_that_points_at_a_user():
    _world, person = person_in_every_model()
    untouched = [label for label, model in people_models().items() if not rows_of(model, person).exists()]
    assert untouched == []


def test_erasing_leaves_their_name_and_address_nowhere_while_the_organisations_records_stay():
    world, person = person_in_every_model()
    staff = world.users["staff"]
    assert text_columns_containing(NAME, EMAIL) != []  # the search finds them before
    before = {
        "funding changes": FundingChange.objects.filter(award=world.award).count(),
        "transitions": Transition.objects.filter(application=world.application).count(),
    }

    erase_person(user=person, by=staff)

    assert text_columns_containing(NAME, EMAIL) == []
    person.refresh_from_db()
    assert (person.name, person.email, person.is_active) == (FORMER_NAME, f"erased-{person.pk}@invalid", False)
    assert not person.has_usable_password()
    # The organisation's award, its instalment and its whole history remain, as does the application.
    award = Award.objects.get(pk=world.award.pk)
    assert award.membership.organisation == world.org_a
    assert Instalment.objects.filter(award=award).count() == 1
    assert FundingChange.objects.filter(award=award).count() == before["funding changes"]
    assert Transition.objects.filter(application=world.application).count() == before["transitions"]
    assert Application.objects.get(pk=world.application.pk).created_by == person
    assert TimeEntry.objects.filter(user=person).count() == 1
    assert RSVP.objects.filter(user=person).count() == 1
    assert SupportSlot.objects.filter(booked_by_user=person).count() == 1
    # Their traces are gone.
    assert EmailAddress.objects.filter(user=person).count() == 0
    assert Authenticator.objects.filter(user=person).count() == 0
    assert CalendarToken.objects.filter(user=person).count() == 0
    assert DataExport.objects.filter(user=person).count() == 0
    assert OrganisationPerson.objects.filter(user=person).count() == 0
    assert Participant.objects.filter(user=person).count() == 0
    assert [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()] == []
    assert ColleagueInvite.objects.filter(email=f"erased-{person.pk}@invalid").count() == 1
    assert Invitation.objects.filter(contact_email=f"erased-{person.pk}@invalid", contact_name="").count() == 1
    # The email to them keeps its row, without its body.
    to_them = Email.objects.get(key="to-person")
    assert (to_them.to_email, to_them.body_text, to_them.subject) == (
        f"erased-{person.pk}@invalid",
        "",
        f"Hello {FORMER_NAME}",
    )
    # Posts kept (the default), under "Former participant".
    assert Message.objects.filter(author=person).count() == 2
    assert ChatMessage.objects.get(author=person).body == "Hi in chat"
    assert WrittenInput.objects.filter(author=person).count() == 1
    # The erasure is in the access log, naming the person by id only; their own records lost the address.
    record = AccessRecord.objects.get(kind=AccessRecord.Kind.ERASURE)
    assert (record.who, record.what) == (staff, f"person {person.pk}")
    assert list(AccessRecord.objects.filter(who=person).values_list("ip", flat=True)) == [None]


def test_with_erasure_posts_remove_their_posts_lose_their_text(settings):
    settings.ERASURE_POSTS = "remove"
    world, person = person_in_every_model()
    erase_person(user=person, by=world.users["staff"])
    # The reply went; the thread nobody answered went; chat keeps the message's place without its text.
    assert list(Message.objects.filter(author=person).values_list("body", flat=True)) == []
    assert Message.objects.filter(pk=world.thread.pk).exists()  # staff's thread they replied to stays
    chat = ChatMessage.objects.get(author=person)
    assert (chat.body, chat.deleted_at is not None) == ("", True)
    assert WrittenInput.objects.filter(author=person).count() == 0


def test_a_thread_others_answered_keeps_its_place_with_its_text_removed(settings):
    from cohorts.services import message_post

    settings.ERASURE_POSTS = "remove"
    world, person = person_in_every_model()
    thread = Message.objects.get(author=person, parent__isnull=True)
    message_post(cohort=world.cohort_x, author=world.colleague, body="Thanks", parent=thread)
    erase_person(user=person, by=world.users["staff"])
    thread.refresh_from_db()
    assert (thread.body, thread.subject) == (REMOVED_TEXT, "Our data")
    assert Message.objects.filter(parent=thread).count() == 1


def test_the_plan_counts_what_erasing_will_touch():
    _world, person = person_in_every_model()
    plan = {step.what: step.count for step in erasure_plan(person)}
    assert plan["email addresses removed from sign-in"] == 1
    assert plan["two-factor keys removed"] == 1
    assert plan["sessions ended"] == 1
    assert plan['mailing-list posts: kept under "Former participant"'] == 2
    assert plan["places in cohorts removed"] == 1
    assert plan["invitations to their address withdrawn or anonymised"] == 2
    assert plan["time logged for funding: kept"] == 1
    assert plan["credits in publications removed, published versions included"] == 1


def test_the_admin_action_confirms_with_the_plan_then_erases(client):
    world, person = person_in_every_model()
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:users_user_changelist")
    chosen = {"action": "erase_people", ACTION_CHECKBOX_NAME: [person.pk, admin.pk]}

    page = client.post(url, chosen)
    assert page.status_code == 200
    assert page.templates[0].name == "admin/privacy/erase_confirmation.html"
    assert [p for p, _steps in page.context["rows"]] == [person]  # never yourself
    assert page.context["yourself"] is True
    assert "places in cohorts removed" in page.content.decode()
    person.refresh_from_db()
    assert person.email == EMAIL  # nothing changed yet

    done = client.post(url, {**chosen, "post": "yes"})
    assert done.status_code == 302
    person.refresh_from_db()
    admin.refresh_from_db()
    assert (person.name, admin.is_active) == (FORMER_NAME, True)


def test_erasing_someone_twice_changes_nothing_more():
    world, person = person_in_every_model()
    erase_person(user=person, by=world.users["staff"])
    erase_person(user=person, by=world.users["staff"])
    person.refresh_from_db()
    assert (person.name, person.email) == (FORMER_NAME, f"erased-{person.pk}@invalid")
    assert AccessRecord.objects.filter(kind=AccessRecord.Kind.ERASURE).count() == 2


def test_their_places_at_future_events_go_to_the_people_waiting():
    from events.services import rsvp_set

    world, person = person_in_every_model()
    world.event.capacity = 1
    world.event.save(update_fields=["capacity"])
    rsvp_set(event=world.event, user=world.colleague, going=True)  # the person holds the one seat
    assert RSVP.objects.get(event=world.event, user=world.colleague).status == "waitlisted"
    plan = {step.what: step.count for step in erasure_plan(person)}
    assert plan["places at future events given up (the waiting list moves up)"] == 1

    erase_person(user=person, by=world.users["staff"])

    answers = dict(RSVP.objects.filter(event=world.event).values_list("user", "status"))
    assert answers == {person.pk: "not_going", world.colleague.pk: "going"}
    assert Email.objects.filter(to_email=world.colleague.email, kind="rsvp_promoted").count() == 1
