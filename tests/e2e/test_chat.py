"""Group chat in Chromium: two participants talk in real time, an outsider finds nothing, an alumnus only reads.

pytest-django's live server speaks WSGI only, so these tests start uvicorn in a thread on a free port,
serving the project's ASGI application (pages, static files and the chat sockets) against the test database.
"""

import asyncio
import socket
import threading
import time

import pytest
from channels.layers import channel_layers
from django.test import Client
from playwright.sync_api import expect

from chat.models import ChatMessage
from chat.permissions import ALUMNI_READ_ONLY
from chat.services import message_post, room_get_or_create
from cohorts.models import Cohort
from tests.e2e.helpers import severe_violations
from tests.factories import CohortFactory, ParticipantFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def asgi_server(transactional_db):
    import uvicorn
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from cohortnet.asgi import application, django_application

    # As Django's own live server does: static files from the finders, since tests run with DEBUG off.
    pages = ASGIStaticFilesHandler(django_application)

    async def app(scope, receive, send):
        target = pages if scope["type"] == "http" else application
        await target(scope, receive, send)

    # A channel layer remembers the event loop that receives on it: one left by earlier tests (the
    # sockets' own tests, a previous server) would refuse this server's loop. Each server gets a fresh one.
    channel_layers.backends.clear()
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning", ws="websockets-sansio")
    )
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    channel_layers.backends.clear()


def _signed_in_page(browser, base, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    refused = []
    page.on("console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.csp_refusals = refused
    return page


def test_two_participants_see_each_others_messages_within_a_second(asgi_server, browser):
    cohort = CohortFactory(name="Open Data Cohort 2", slug="odc-2")
    maya = ParticipantFactory(
        membership__cohort=cohort, membership__organisation__name="River Data Trust", user__name="Maya Okafor"
    ).user
    tomas = ParticipantFactory(
        membership__cohort=cohort, membership__organisation__name="Ledgerlight", user__name="Tomás Rivera"
    ).user
    room = room_get_or_create(cohort=cohort)
    url = f"{asgi_server}{room.get_absolute_url()}"

    pages = {}
    for person in (maya, tomas):
        page = _signed_in_page(browser, asgi_server, person)
        page.goto(url)
        expect(page.locator("#chat-room")).to_have_attribute("data-connected", "true")
        pages[person] = page

    composer = pages[maya].get_by_role("textbox", name="Message")
    composer.fill("Hello from the river")
    composer.press("Enter")
    expect(pages[tomas].locator("#chat-log").get_by_text("Hello from the river")).to_be_visible(timeout=1_000)
    expect(pages[tomas].locator("#chat-live")).to_have_text("Maya Okafor, River Data Trust: Hello from the river")
    expect(composer).to_have_value("")

    answer = pages[tomas].get_by_role("textbox", name="Message")
    answer.fill("Welcome!")
    answer.press("Shift+Enter")
    answer.type("Our register is at https://ledgerlight.example/data")
    answer.press("Enter")
    reply = pages[maya].locator(".chat-message").last.locator(".chat-body")
    expect(reply).to_contain_text("Welcome!", timeout=1_000)
    assert reply.inner_html() == (
        'Welcome!<br>Our register is at <a href="https://ledgerlight.example/data">https://ledgerlight.example/data</a>'
    )

    assert list(ChatMessage.objects.order_by("pk").values_list("author__name", "body")) == [
        ("Maya Okafor", "Hello from the river"),
        ("Tomás Rivera", "Welcome!\nOur register is at https://ledgerlight.example/data"),
    ]
    assert severe_violations(pages[maya]) == []
    assert pages[maya].csp_refusals == pages[tomas].csp_refusals == []


def test_an_outsider_gets_a_404_and_an_alumnus_reads_the_history_without_a_composer(asgi_server, browser):
    ended = CohortFactory(name="Open Data Cohort 1", slug="odc-1", status=Cohort.Status.COMPLETED)
    alumnus = ParticipantFactory(membership__cohort=ended, user__name="Ada Byrne").user
    room = room_get_or_create(cohort=ended)
    message_post(room=room, author=UserFactory(is_staff=True, name="Sam Lee"), body="Thank you all, and goodbye")
    outsider = ParticipantFactory(user__name="Olu Ade").user
    url = f"{asgi_server}{room.get_absolute_url()}"

    stranger = _signed_in_page(browser, asgi_server, outsider)
    assert stranger.goto(url).status == 404

    page = _signed_in_page(browser, asgi_server, alumnus)
    assert page.goto(url).status == 200
    expect(page.locator("#chat-log").get_by_text("Thank you all, and goodbye")).to_be_visible()
    expect(page.get_by_text(ALUMNI_READ_ONLY)).to_be_visible()
    expect(page.locator("#chat-composer")).to_have_count(0)
    expect(page.get_by_role("textbox", name="Message")).to_have_count(0)
    # The socket is open (the alumnus still sees what staff post) but refuses posts.
    expect(page.locator("#chat-room")).to_have_attribute("data-connected", "true")
    assert severe_violations(page) == []
    assert page.csp_refusals == []
