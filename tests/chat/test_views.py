import pytest
from django.urls import reverse

from chat.models import ChatMessage
from chat.permissions import ALUMNI_READ_ONLY
from chat.services import message_post, room_mark_read
from tests.chat.conftest import make_theme

pytestmark = pytest.mark.django_db

GENERAL = "/cohorts/open-data-2/chat/general/"


def test_a_participant_posts_without_javascript_and_the_text_is_shown_safely(client, room, maya):
    client.force_login(maya)
    response = client.post(GENERAL, {"body": "<script>alert(1)</script>\r\nsee https://example.org/a?b=1&c=2."})
    assert response.status_code == 302
    assert response["Location"] == GENERAL
    page = client.get(GENERAL).content.decode()
    assert (
        '<div class="chat-body">&lt;script&gt;alert(1)&lt;/script&gt;<br>see '
        '<a href="https://example.org/a?b=1&amp;c=2">https://example.org/a?b=1&amp;c=2</a>.</div>'
    ) in page
    assert "<script>alert(1)" not in page
    assert "<strong>Maya Okafor, River Data Trust</strong>" in page


def test_a_javascript_link_stays_text(client, room, maya):
    message_post(room=room, author=maya, body="javascript:alert(1) and ftp://files.example")
    client.force_login(maya)
    page = client.get(GENERAL).content.decode()
    assert '<div class="chat-body">javascript:alert(1) and ftp://files.example</div>' in page


def test_an_empty_post_re_renders_the_form_with_the_reason(client, room, maya):
    client.force_login(maya)
    response = client.post(GENERAL, {"body": "   "})
    assert response.status_code == 400
    assert "Write a message first." in response.content.decode()
    assert ChatMessage.objects.count() == 0


def test_another_cohorts_room_list_and_room_are_a_404(client, room, outsider):
    client.force_login(outsider)
    assert client.get(GENERAL).status_code == 404
    assert client.get("/cohorts/open-data-2/chat/").status_code == 404
    assert client.post(GENERAL, {"body": "hello"}).status_code == 404
    assert ChatMessage.objects.count() == 0


def test_a_theme_the_cohort_does_not_work_on_has_no_room(client, room, maya):
    make_theme("Licensing")
    client.force_login(maya)
    assert client.get("/cohorts/open-data-2/chat/themes/licensing/").status_code == 404


def test_an_alumnus_reads_the_history_but_has_no_composer_and_cannot_post(client, old_room, staff, alumnus):
    message_post(room=old_room, author=staff, body="Thank you all, and goodbye")
    client.force_login(alumnus)
    page = client.get("/cohorts/open-data-1/chat/general/").content.decode()
    assert "Thank you all, and goodbye" in page
    assert ALUMNI_READ_ONLY in page
    assert 'id="chat-composer"' not in page
    assert client.post("/cohorts/open-data-1/chat/general/", {"body": "still here"}).status_code == 404
    assert list(ChatMessage.objects.values_list("body", flat=True)) == ["Thank you all, and goodbye"]


def test_staff_read_and_post_in_any_cohort(client, room, staff):
    client.force_login(staff)
    assert 'id="chat-composer"' in client.get(GENERAL).content.decode()
    assert client.post(GENERAL, {"body": "Welcome"}).status_code == 302
    assert list(ChatMessage.objects.values_list("author__email", "body")) == [("sam@programme.example", "Welcome")]


def test_the_room_list_shows_unread_counts_and_opening_a_room_reads_it(client, room, maya, tomas):
    first = message_post(room=room, author=tomas, body="one")
    room_mark_read(user=maya, room=room, up_to_id=first.pk)
    message_post(room=room, author=tomas, body="two")
    message_post(room=room, author=tomas, body="three")
    client.force_login(maya)
    assert (
        '<span class="badge text-bg-primary rounded-pill">2 unread</span>'
        in client.get("/cohorts/open-data-2/chat/").content.decode()
    )
    client.get(GENERAL)
    assert "2 unread" not in client.get("/cohorts/open-data-2/chat/").content.decode()


def test_history_pages_back_fifty_at_a_time(client, room, maya):
    for n in range(60):
        message_post(room=room, author=maya, body=f"line {n}")
    client.force_login(maya)
    newest = client.get(GENERAL).content.decode()
    assert "line 10<" in newest
    assert "line 59<" in newest
    assert "line 9<" not in newest
    oldest_shown = ChatMessage.objects.get(body="line 10").pk
    assert f'href="?before={oldest_shown}"' in newest
    older = client.get(GENERAL, {"before": oldest_shown}, headers={"HX-Request": "true"}).content.decode()
    assert "line 0<" in older
    assert "line 9<" in older
    assert "line 10<" not in older
    assert "Older messages" not in older


def test_the_mention_switch_is_saved(client, room, maya):
    client.force_login(maya)
    assert client.post("/cohorts/open-data-2/chat/", {}).status_code == 302
    assert maya.reminder_opt_outs.filter(kind="chat_mention").count() == 1
    client.post("/cohorts/open-data-2/chat/", {"wanted": "on"})
    assert maya.reminder_opt_outs.filter(kind="chat_mention").count() == 0


def test_only_the_author_edits_and_deletes_from_the_page(client, room, maya, tomas):
    message = message_post(room=room, author=maya, body="draft")
    edit, delete = (reverse(f"chat:message_{name}", args=[message.pk]) for name in ("edit", "delete"))
    client.force_login(tomas)
    assert client.get(edit).status_code == 404
    assert client.post(edit, {"body": "hijacked"}).status_code == 404
    assert client.post(delete).status_code == 404
    assert f'action="{delete}"' not in client.get(GENERAL).content.decode()
    client.force_login(maya)
    assert f'action="{delete}"' in client.get(GENERAL).content.decode()
    assert client.post(edit, {"body": "final"}).status_code == 302
    assert "final</div>" in client.get(GENERAL).content.decode()
    assert client.post(delete).status_code == 302
    page = client.get(GENERAL).content.decode()
    assert "message deleted" in page
    assert "final" not in page


@pytest.mark.parametrize("count", [1, 20])
def test_the_room_page_costs_the_same_queries_for_1_or_20_messages(
    client, room, maya, tomas, count, django_assert_num_queries
):
    for n in range(count):
        message_post(room=room, author=tomas if n % 2 else maya, body=f"line {n}")
    client.force_login(maya)
    client.get(GENERAL)
    with django_assert_num_queries(16):
        assert client.get(GENERAL).status_code == 200


def test_a_message_time_names_its_zone(client, room, maya):
    from datetime import UTC, datetime

    import time_machine

    maya.time_zone = "Asia/Tokyo"
    maya.save()
    with time_machine.travel(datetime(2026, 11, 26, 20, 50, tzinfo=UTC), tick=False):
        message_post(room=room, author=maya, body="Hello")
    client.force_login(maya)
    page = client.get(GENERAL).content.decode()
    assert ">27 Nov, 05:50 JST</time>" in page


def test_with_the_channel_layer_down_posts_edits_and_deletes_still_answer_and_are_kept_once(
    client, room, maya, monkeypatch
):
    """Redis stopped: the plain form's post is saved and redirects (no 500 after the write, which invited a
    second post); edits and deletions too. Only the live update to open sockets is lost."""
    from channels_redis.core import RedisChannelLayer

    from chat import realtime
    from tests.smtp_sink import free_port

    down = RedisChannelLayer(hosts=[{"address": f"redis://127.0.0.1:{free_port()}", "socket_timeout": 0.5}])
    monkeypatch.setattr(realtime, "get_channel_layer", lambda: down)
    client.force_login(maya)
    response = client.post(GENERAL, {"body": "posted while Redis is down"})
    assert (response.status_code, response["Location"]) == (302, GENERAL)
    message = ChatMessage.objects.get()
    assert message.body == "posted while Redis is down"
    edit, delete = (reverse(f"chat:message_{name}", args=[message.pk]) for name in ("edit", "delete"))
    response = client.post(edit, {"body": "edited while down"})
    assert (response.status_code, response["Location"]) == (302, f"{GENERAL}#chat-message-{message.pk}")
    assert client.post(delete).status_code == 302
    message.refresh_from_db()
    assert (message.body, message.deleted_at is not None, ChatMessage.objects.count()) == ("", True, 1)
