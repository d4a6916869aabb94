"""The browser's zone is offered and saved: a person in Tokyo whose account says London (Chromium, Asia/Tokyo)."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import severe_violations
from tests.factories import PASSWORD, EventFactory, ParticipantFactory
from toolbox.timezones import BROWSER_ZONE_COOKIE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# 14:00 in London is 23:00 in Tokyo in December.
STARTS = datetime(2027, 12, 1, 14, 0, tzinfo=UTC)
TOKYO_TIME = "Wed 1 Dec, 23:00 JST, your time"


def _sign_in(browser, base, user, next_path):
    context = browser.new_context(timezone_id="Asia/Tokyo")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{base}{next_path}")
    return context, page


def _setting_up():
    participant = ParticipantFactory()
    event = EventFactory(cohort=participant.membership.cohort, starts_at=STARTS, ends_at=STARTS + timedelta(minutes=90))
    assert participant.user.time_zone == "Europe/London"
    assert participant.user.time_zone_confirmed_at is None
    return participant.user, event


def test_the_browser_zone_is_offered_saved_and_used(live_server, browser):
    user, event = _setting_up()
    context, page = _sign_in(browser, live_server.url, user, event.get_absolute_url())

    offer = page.locator("#tz-offer")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("Your browser says you are in Asia/Tokyo (JST). Show times in your time?")
    expect(offer.get_by_role("button", name="Keep Europe/London")).to_be_visible()
    assert severe_violations(page) == []

    offer.get_by_role("button", name="Use Asia/Tokyo").click()
    page.wait_for_url(f"{live_server.url}{event.get_absolute_url()}")
    expect(page.get_by_text("Times are now shown in your time, Asia/Tokyo (JST).")).to_be_visible()
    expect(page.locator("#tz-offer")).to_have_count(0)
    user.refresh_from_db()
    assert user.time_zone == "Asia/Tokyo"
    assert user.time_zone_confirmed_at is not None

    # The saved zone now decides, whatever the browser's cookie says.
    context.add_cookies([{"name": BROWSER_ZONE_COOKIE, "value": "Europe/London", "url": live_server.url}])
    page.reload()
    expect(page.locator(".your-time").first).to_have_text(TOKYO_TIME)
    expect(page.locator("#tz-offer")).to_have_count(0)
    assert severe_violations(page) == []
    context.close()


def test_the_offer_works_from_the_keyboard_and_says_what_the_browser_says_now(live_server, browser):
    user, event = _setting_up()
    context, page = _sign_in(browser, live_server.url, user, event.get_absolute_url())
    # The cookie still names an older zone (a trip): the script corrects the offer to the browser's zone.
    context.add_cookies([{"name": BROWSER_ZONE_COOKIE, "value": "Europe/Paris", "url": live_server.url}])
    page.reload()
    offer = page.locator("#tz-offer")
    expect(offer).to_be_visible()
    expect(offer.locator("strong")).to_have_text("Asia/Tokyo")
    use = offer.get_by_role("button", name="Use Asia/Tokyo")
    expect(use).to_have_attribute("value", "Asia/Tokyo")

    page.locator("body").focus()
    for _ in range(60):
        page.keyboard.press("Tab")
        if use.evaluate("button => button === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the 'Use Asia/Tokyo' button")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Times are now shown in your time, Asia/Tokyo (JST).")).to_be_visible()
    user.refresh_from_db()
    assert user.time_zone == "Asia/Tokyo"
    assert user.time_zone_confirmed_at is not None
    expect(page.locator(".your-time").first).to_have_text(TOKYO_TIME)
    context.close()


def test_keep_keeps_the_zone_and_the_offer_does_not_come_back(live_server, browser):
    user, event = _setting_up()
    context, page = _sign_in(browser, live_server.url, user, event.get_absolute_url())
    page.locator("#tz-offer").get_by_role("button", name="Keep Europe/London").press(" ")
    expect(page.get_by_text("Kept: times stay in Europe/London")).to_be_visible()
    user.refresh_from_db()
    assert user.time_zone == "Europe/London"
    assert user.time_zone_confirmed_at is not None
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.locator("#tz-offer")).to_have_count(0)
    context.close()


def test_a_full_event_page_passes_axe_on_a_laptop_and_a_phone(live_server, browser):
    from cohorts.models import Theme
    from cohorts.services import resource_add
    from events.models import RSVP
    from tests.factories import MembershipFactory, OrganisationFactory

    user, event = _setting_up()
    event.theme = Theme.objects.order_by("position").first()
    event.capacity = 30
    event.location = "The Hub, Leeds"
    event.online_url = "https://meet.example/room"
    event.description = "What stops organisations publishing?"
    event.save()
    for n, listed in enumerate([True, True, False]):
        membership = MembershipFactory(
            cohort=event.cohort, organisation=OrganisationFactory(name=f"Steward {n}"), listed_publicly=listed
        )
        person = ParticipantFactory(membership=membership).user
        RSVP.objects.create(event=event, user=person, membership=membership, status=RSVP.Status.GOING)
    event.pre_reading.add(resource_add(cohort=event.cohort, user=user, title="Guide", url="https://guide.example/"))
    RSVP.objects.create(event=event, user=user, status=RSVP.Status.GOING)

    context, page = _sign_in(browser, live_server.url, user, event.get_absolute_url())
    expect(page.get_by_text("26 of 30 places left")).to_be_visible()
    expect(page.get_by_text("And 1 other organisation.")).to_be_visible()
    assert severe_violations(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    assert severe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
