"""The staff home (/admin/) passes axe-core with no serious or critical violation, under the strict CSP."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events.models import RSVP
from tests.e2e.helpers import severe_violations
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    EventFactory,
    InstalmentFactory,
    ParticipantFactory,
    ReviewAssignmentFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_staff_home_has_no_serious_accessibility_violations(live_server, browser):
    base = live_server.url
    application = ApplicationFactory(status="submitted", call__review_deadline=timezone.now() - timedelta(days=1))
    ReviewAssignmentFactory(application=application)
    event = EventFactory(title="Licensing roundtable", starts_at=timezone.now() + timedelta(days=3))
    participant = ParticipantFactory(membership__cohort=event.cohort)
    RSVP.objects.create(event=event, user=participant.user, status=RSVP.Status.GOING)
    InstalmentFactory()
    staff = UserFactory(is_staff=True, is_superuser=True)

    page = browser.new_page()
    page.set_default_timeout(10_000)
    refused = []
    page.on("console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.goto(f"{base}/admin/")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("table", name="Events in the next 14 days")).to_be_visible()
    expect(page.get_by_role("navigation", name="Lists by stage of the programme")).to_be_visible()

    severe = severe_violations(page)
    assert severe == [], "\n".join(severe)
    assert refused == []
    # The count links to its list, which opens filtered.
    page.get_by_role("row", name="Submitted 1", exact=True).get_by_role("link").click()
    expect(page).to_have_url(f"{base}/admin/applications/application/?status__exact=submitted")
