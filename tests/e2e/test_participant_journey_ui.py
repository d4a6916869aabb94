"""A participant's journey at desktop and phone width (issue 15's acceptance).

The browser says the participant is in New York (the context's time zone); on
signing in the site offers that zone, they save it, and the home shows their
next event with the time in their zone. On the event page "your time" is beside
the event's London time; they answer "Going" and the page says so. axe finds no
serious or critical violation on any page on the way, and no page breaks the
Content Security Policy.
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cohortnet.users.models import User
from events.models import RSVP
from tests.e2e.test_applicant_journey_ui import VIEWPORTS, Journey
from tests.factories import PASSWORD, EventFactory, MembershipFactory, ParticipantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONDON = ZoneInfo("Europe/London")


def _next_week_at_three_in_london() -> datetime:
    day = (timezone.now() + timedelta(days=7)).astimezone(LONDON).date()
    return datetime(day.year, day.month, day.day, 15, 0, tzinfo=LONDON)


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=list(VIEWPORTS))
def test_participant_saves_the_browser_zone_sees_the_next_event_and_answers_going(live_server, browser, viewport):
    base = live_server.url
    membership = MembershipFactory(organisation__name="River Data Trust", cohort__name="Stewards 2026")
    person = ParticipantFactory(
        membership=membership, user__name="Maya Okafor", user__email="maya@riverdata.example"
    ).user
    starts = _next_week_at_three_in_london()
    event = EventFactory(
        cohort=membership.cohort,
        title="Roundtable: sustainability and revenue models",
        starts_at=starts,
        ends_at=starts + timedelta(minutes=90),
        time_zone="Europe/London",
        capacity=12,
    )
    EventFactory(cohort=membership.cohort, title="Workshop: later on", starts_at=starts + timedelta(days=14))
    assert person.time_zone == "Europe/London"
    assert person.time_zone_confirmed_at is None
    new_york = starts.astimezone(ZoneInfo("America/New_York"))
    their_time = f"{new_york:%a} {new_york.day} {new_york:%b, %H:%M} {new_york.tzname()}, your time"

    context = browser.new_context(viewport=VIEWPORTS[viewport], timezone_id="America/New_York")
    context.set_default_timeout(10_000)
    journey = Journey(context.new_page())
    page = journey.page

    page.goto(f"{base}/accounts/login/")
    journey.check("sign in")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile(r"^sign in$", re.I)).click()

    # Home: the browser's zone is offered.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Maya")
    offer = page.get_by_role("region", name="Your time zone")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("America/New_York")
    journey.check("participant home with the time zone offer")
    offer.get_by_role("button", name="Use America/New_York").click()

    # Saved: the offer is gone, the zone is the person's, and the home shows the next event.
    expect(page.get_by_text("Times are now shown in your time, America/New_York")).to_be_visible()
    expect(page.get_by_role("region", name="Your time zone")).to_have_count(0)
    person.refresh_from_db()
    assert person.time_zone == "America/New_York"
    assert person.time_zone_confirmed_at is not None
    assert User.objects.get(pk=person.pk).time_zone == "America/New_York"
    next_event = page.get_by_role("region", name="Your next event")
    expect(next_event.get_by_role("link", name=event.title)).to_be_visible()
    expect(next_event).not_to_contain_text("Workshop: later on")
    expect(next_event).to_contain_text(their_time)
    journey.check("participant home")

    # The event page: the event's time in London, and theirs beside it.
    next_event.get_by_role("link", name=event.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(event.title)
    expect(page.get_by_text(re.compile(r"15:00 (GMT|BST) \(Europe/London\)")).first).to_be_visible()
    expect(page.get_by_text(their_time).first).to_be_visible()
    journey.check("event page")

    answer = page.get_by_role("region", name="Your answer")
    answer.get_by_role("button", name="Going", exact=True).click()
    expect(answer.get_by_role("status").filter(has_text=re.compile(r"^\s*Going\s*$"))).to_be_visible()
    expect(page.get_by_text(f"You are going to {event.title}.")).to_be_visible()
    assert RSVP.objects.get(event=event, user=person).status == RSVP.Status.GOING
    journey.check("event page, going")

    # Back home, the next event says they are going.
    page.goto(f"{base}/dashboard/")
    expect(page.get_by_role("region", name="Your next event")).to_contain_text("You are going")
    journey.check("participant home, going")

    assert not journey.problems, "\n".join(journey.problems)
    context.close()
