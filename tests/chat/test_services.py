import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chat.models import ChatMessage, ReadMarker, Room
from chat.selectors import rooms_with_unread
from chat.services import (
    MENTION_KIND,
    mention_emails_set,
    message_delete,
    message_edit,
    message_post,
    room_get_or_create,
    room_mark_read,
)
from notifications.models import Email, ReminderOptOut
from notifications.unsubscribe import unsubscribe_from_token
from tests.chat.conftest import make_theme
from tests.factories import MembershipFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


def _mentions():
    return list(Email.objects.filter(kind=MENTION_KIND).order_by("pk").values_list("to_email", "subject"))


def test_a_post_keeps_the_text_with_its_line_breaks_and_drops_control_characters(room, maya):
    message = message_post(room=room, author=maya, body="  Hello\r\nall\x00 of you  ")
    assert ChatMessage.objects.get().body == "Hello\nall of you"
    assert (message.author, message.room, message.edited_at, message.deleted_at) == (maya, room, None, None)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("   \n ", "Write a message first."),
        ("x" * 4001, "A chat message holds at most 4,000 characters (this one has 4,001); "
         "split it, or start a thread on the mailing list."),
    ],
)  # fmt: skip
def test_an_empty_or_overlong_post_is_refused_with_a_reason(room, maya, body, error):
    with pytest.raises(ValidationError) as refused:
        message_post(room=room, author=maya, body=body)
    assert refused.value.messages == [error]
    assert ChatMessage.objects.count() == 0


def test_staff_post_in_any_cohort_and_outsiders_and_alumni_do_not(room, old_room, staff, outsider, alumnus):
    message_post(room=room, author=staff, body="Welcome")
    with pytest.raises(PermissionDenied):
        message_post(room=room, author=outsider, body="Let me in")
    with pytest.raises(PermissionDenied):
        message_post(room=old_room, author=alumnus, body="Still here")
    message_post(room=old_room, author=staff, body="Thanks all")
    assert list(ChatMessage.objects.order_by("pk").values_list("author__email", "body")) == [
        ("sam@programme.example", "Welcome"),
        ("sam@programme.example", "Thanks all"),
    ]


def test_rooms_are_one_per_cohort_and_one_per_theme(cohort):
    theme = make_theme("Licensing")
    general = room_get_or_create(cohort=cohort)
    themed = room_get_or_create(cohort=cohort, theme=theme)
    assert room_get_or_create(cohort=cohort) == general
    assert room_get_or_create(cohort=cohort, theme=theme) == themed
    assert general != themed
    assert Room.objects.count() == 2
    assert (general.name, themed.name) == ("General", "Licensing")


def test_a_mention_emails_the_person_named_once(room, maya, tomas):
    message = message_post(room=room, author=tomas, body="@maya okafor could you share the licence checklist?")
    message_edit(message=message, user=tomas, body="@Maya Okafor could you share the licence checklist, please?")
    assert _mentions() == [("maya@river.example", "[Cohort 2] Tomás Rivera mentioned you in General")]
    email = Email.objects.get(kind=MENTION_KIND)
    assert "Tomás Rivera mentioned you in the General chat room of Cohort 2:" in email.body_text
    assert "@maya okafor could you share the licence checklist?" in email.body_text
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_mention_respects_the_persons_choice_and_names_only_members_of_the_cohort(room, maya, tomas, outsider):
    mention_emails_set(user=maya, wanted=False)
    message_post(room=room, author=tomas, body="@Maya Okafor and @Olu Ade, and me @Tomás Rivera")
    assert _mentions() == []


def test_a_longer_name_is_not_also_a_shorter_members_mention(room, maya, tomas):
    ParticipantFactory(membership__cohort=room.cohort, user__name="Maya", user__email="maya2@example.org")
    message_post(room=room, author=tomas, body="Thanks @Maya Okafor!")
    assert _mentions() == [("maya@river.example", "[Cohort 2] Tomás Rivera mentioned you in General")]


def test_the_mention_emails_unsubscribe_link_stops_them(room, maya, tomas):
    message_post(room=room, author=tomas, body="@Maya Okafor hello")
    link = Email.objects.get(kind=MENTION_KIND).headers["List-Unsubscribe"]
    target = unsubscribe_from_token(link.rstrip("/>").rsplit("/", 1)[-1])
    assert target.label == "emails when someone mentions you in a chat room"
    target.apply()
    assert list(ReminderOptOut.objects.values_list("user__email", "kind")) == [("maya@river.example", MENTION_KIND)]
    message_post(room=room, author=tomas, body="@Maya Okafor again")
    assert len(_mentions()) == 1


def test_only_the_author_edits_or_deletes(room, maya, tomas, staff):
    message = message_post(room=room, author=maya, body="first draft")
    for person in (tomas, staff):
        with pytest.raises(PermissionDenied):
            message_edit(message=message, user=person, body="hijacked")
        with pytest.raises(PermissionDenied):
            message_delete(message=message, user=person)
    edited = message_edit(message=message, user=maya, body="second draft")
    assert (edited.body, edited.edited_at is not None) == ("second draft", True)
    deleted = message_delete(message=message, user=maya)
    assert (deleted.body, deleted.deleted_at is not None) == ("", True)
    with pytest.raises(PermissionDenied):
        message_edit(message=message, user=maya, body="back again")


def test_the_read_marker_only_moves_forward_and_never_past_the_newest_message(room, maya, tomas):
    first = message_post(room=room, author=tomas, body="one")
    second = message_post(room=room, author=tomas, body="two")
    assert room_mark_read(user=maya, room=room, up_to_id=first.pk).last_read_id == first.pk
    assert room_mark_read(user=maya, room=room, up_to_id=second.pk + 1000).last_read_id == second.pk
    assert room_mark_read(user=maya, room=room, up_to_id=first.pk).last_read_id == second.pk
    assert ReadMarker.objects.count() == 1


def test_unread_counts_others_messages_past_the_marker_per_room(cohort, room, maya, tomas):
    theme = make_theme("Licensing", position=1)
    MembershipFactory(cohort=cohort).themes.add(theme)
    licensing = room_get_or_create(cohort=cohort, theme=theme)
    seen = message_post(room=room, author=tomas, body="one")
    room_mark_read(user=maya, room=room, up_to_id=seen.pk)
    message_post(room=room, author=tomas, body="two")
    message_post(room=room, author=maya, body="mine")
    gone = message_post(room=room, author=tomas, body="oops")
    message_delete(message=gone, user=tomas)
    message_post(room=licensing, author=tomas, body="three")
    message_post(room=licensing, author=tomas, body="four")
    assert [(r.name, r.unread) for r in rooms_with_unread(maya, cohort)] == [("General", 1), ("Licensing", 2)]
    assert [(r.name, r.unread) for r in rooms_with_unread(tomas, cohort)] == [("General", 1), ("Licensing", 0)]
