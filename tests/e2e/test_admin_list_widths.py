"""The admin lists of people, organisations, cohorts and events fit a 1280 px screen without scrolling sideways."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from applications.models import OpenCall
from cohortnet.management.commands.seed_demo import DEMO_PASSWORD, STAFF_EMAIL
from cohortnet.users.models import User
from cohorts.models import Contribution, Participant, Theme
from events.models import RSVP, Event, SupportSlot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTS = [
    "users/user",
    "cohorts/organisation",
    "cohorts/cohort",
    "cohorts/membership",
    "cohorts/participant",
    "cohorts/message",
    "cohorts/resource",
    "cohorts/contribution",
    "events/event",
    "events/rsvp",
    "events/supportslot",
    "funding/award",
    "funding/instalment",
    "funding/timeentry",
    "outcomes/reportround",
    "outcomes/report",
    "notifications/email",
    "notifications/reminderrule",
    "applications/application",
    "applications/reviewassignment",
]

#: People are named beside their addresses: a row each of these lists shows on the demo data.
NAMED = {
    "funding/instalment": "Grace Mensah <staff@cohortnet.example>",
    "funding/timeentry": "Maya Okafor <participant@example.org>",
    "notifications/email": "Hugo Martin <hugo@citytrees.example>",
    "applications/reviewassignment": "Rita Alvarez <reviewer@cohortnet.example>",
}


def _the_rows_seed_demo_leaves_out():
    # One answer, support slot and contribution with the demo's longest names, so those lists have a row.
    participant = Participant.objects.select_related("membership__cohort", "user").order_by("-user__name").first()
    event = Event.objects.filter(cohort=participant.membership.cohort).order_by("-title").first()
    RSVP.objects.create(event=event, user=participant.user, membership=participant.membership, status="going")
    start = timezone.now() + timedelta(days=3)
    SupportSlot.objects.create(
        cohort=participant.membership.cohort,
        host=User.objects.get(email=STAFF_EMAIL),
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
        topic="Choosing an open licence for a register",
        booked_by=participant.membership,
        booked_by_user=participant.user,
    )
    Contribution.objects.create(membership=participant.membership, theme=Theme.objects.order_by("-name").first())


def test_the_lists_fit_a_1280_pixel_screen(live_server, browser, settings):
    settings.DEBUG = True  # seed_demo is for laptops
    call_command("seed_demo", stdout=io.StringIO())
    settings.DEBUG = False
    _the_rows_seed_demo_leaves_out()
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Email").fill(STAFF_EMAIL)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()
    too_wide, unnamed = {}, []
    for path in LISTS:
        assert page.goto(f"{live_server.url}/admin/{path}/").status == 200
        widths = page.evaluate(
            """() => {
                const table = document.querySelector('#result_list');
                return {page: document.documentElement.scrollWidth, table: table.scrollWidth,
                        room: document.querySelector('#changelist .results').clientWidth,
                        // Each column's heading and width, to show which to trim when a list is too wide.
                        columns: [...table.querySelectorAll('thead th')].map(
                            (th) => `${th.innerText.trim()}: ${th.offsetWidth}`)};
            }"""
        )
        # With the admin's menu open and the filters beside the list: nothing scrolls sideways.
        if widths["page"] > 1280 or widths["table"] > widths["room"]:
            too_wide[path] = widths
        if path in NAMED and NAMED[path] not in page.inner_text("#result_list"):
            unnamed.append(path)
    assert unnamed == []
    assert too_wide == {}, "\n".join(f"{path}: {widths}" for path, widths in too_wide.items())


def test_the_open_calls_page_with_its_questions_and_criteria_fits_a_1280_pixel_screen(live_server, browser, settings):
    """The call's inlines (FAQ, questions, criteria, decision emails) on one page, none scrolling it sideways."""
    settings.DEBUG = True  # seed_demo is for laptops
    call_command("seed_demo", stdout=io.StringIO())
    settings.DEBUG = False
    call = OpenCall.objects.get(slug="cohort-3-open-call")
    assert call.questions.exists()
    assert call.criteria.exists()
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Email").fill(STAFF_EMAIL)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()
    for path in (f"applications/opencall/{call.pk}/change/", "applications/opencall/add/"):
        assert page.goto(f"{live_server.url}/admin/{path}").status == 200
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow == 0, f"{path} is {overflow}px wider than the window"
