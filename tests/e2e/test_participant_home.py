"""A participant signs in and their home shows the next event with its join button, at desktop and phone sizes."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cohorts.services import message_post
from events.models import RSVP
from tests.e2e.helpers import severe_violations
from tests.factories import PASSWORD, EventFactory, ParticipantFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JOIN = "https://meet.example/roundtable-barriers"


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}])
def test_the_participant_home_shows_the_next_event_and_its_join_button(live_server, browser, viewport):
    maya = ParticipantFactory(
        user__name="Maya Okafor",
        user__email="maya@riverdata.example",
        membership__organisation__name="River Data Trust",
    )
    cohort = maya.membership.cohort
    soon = timezone.now() + timedelta(minutes=10)
    event = EventFactory(
        cohort=cohort,
        title="Roundtable: barriers to publishing",
        starts_at=soon,
        ends_at=soon + timedelta(minutes=90),
        online_url=JOIN,
    )
    RSVP.objects.create(event=event, user=maya.user, status=RSVP.Status.GOING)
    EventFactory(cohort=cohort, title="Networking afternoon", starts_at=timezone.now() + timedelta(days=3))
    staff = UserFactory(is_staff=True, name="Sam Lee")
    message_post(cohort=cohort, author=staff, subject="Agenda for the roundtable", body="Ideas welcome.")

    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/dashboard/")
    page.get_by_label("Email").fill(maya.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome back, Maya")
    next_event = page.locator("section[aria-labelledby=next-event-heading]")
    expect(next_event.get_by_role("link", name="Roundtable: barriers to publishing")).to_be_visible()
    join = next_event.get_by_role("link", name="Join now")
    expect(join).to_be_visible()
    expect(join).to_have_attribute("href", JOIN)
    answers = page.locator("section[aria-labelledby=rsvps-heading]")
    expect(answers.get_by_role("link", name="Networking afternoon")).to_be_visible()
    unread = page.locator("section[aria-labelledby=unread-heading]")
    expect(unread.get_by_role("link", name="Agenda for the roundtable")).to_be_visible()
    assert severe_violations(page) == []

    # Reading the thread clears it from the home.
    unread.get_by_role("link", name="Agenda for the roundtable").click()
    expect(page.get_by_text("Sam Lee, programme team")).to_be_visible()
    assert severe_violations(page) == []
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.locator("section[aria-labelledby=unread-heading]")).to_contain_text("You are up to date")
    context.close()
