"""Every page of the journeys passes axe-core with no serious or critical violation."""

import pytest
from django.utils import timezone

from cohorts.services import message_post, resource_add
from events.services import rsvp_set
from outcomes.models import Publication, PublicationVersion
from tests.e2e.helpers import severe_violations
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    AwardFactory,
    EventFactory,
    MembershipFactory,
    OpenCallFactory,
    OrganisationPersonFactory,
    ParticipantFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_journey_pages_have_no_serious_accessibility_violations(live_server, browser):
    base = live_server.url
    call = OpenCallFactory()
    lead = OrganisationPersonFactory(role="lead")
    application = ApplicationFactory(call=call, organisation=lead.organisation, created_by=lead.user)
    membership = MembershipFactory(cohort=call.cohort, organisation=lead.organisation)
    ParticipantFactory(membership=membership, user=lead.user, show_contact_details=True)
    event = EventFactory(cohort=call.cohort, capacity=5, online_url="https://meet.example/x")
    rsvp_set(event=event, user=lead.user, going=True)
    staff = UserFactory(is_staff=True)
    thread = message_post(cohort=call.cohort, author=staff, subject="Welcome", body="Hello")
    resource_add(cohort=call.cohort, user=lead.user, title="Guide", url="https://guide.example/")
    award = AwardFactory(membership=membership)
    publication = Publication.objects.create(cohort=call.cohort, title="Output", slug="output")
    PublicationVersion.objects.create(
        publication=publication,
        number=1,
        title="Output",
        sections=[{"theme": "Sustainability", "text": "What we learned."}],
        licence="CC-BY-4.0",
        published_at=timezone.now(),
    )

    page = browser.new_page()
    page.set_default_timeout(10_000)
    violations = []
    for path in [
        "/",
        "/calls/",
        call.get_absolute_url(),
        "/accounts/signup/",
        "/accounts/login/",
        "/data/",
        "/outputs/output/",
    ]:
        page.goto(f"{base}{path}")
        violations += severe_violations(page)

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(lead.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    for path in [
        "/dashboard/",
        f"/applications/{application.pk}/edit/",
        application.get_absolute_url(),
        f"/applications/{application.pk}/withdraw/",
        lead.organisation.get_absolute_url(),
        call.cohort.get_absolute_url(),
        f"/cohorts/{call.cohort.slug}/members/",
        f"/cohorts/{call.cohort.slug}/messages/",
        thread.get_absolute_url(),
        f"/cohorts/{call.cohort.slug}/resources/",
        f"/cohorts/{call.cohort.slug}/output/",
        f"/cohorts/{call.cohort.slug}/settings/",
        event.get_absolute_url(),
        award.get_absolute_url(),
        "/profile/",
        "/reminders/",
        "/calendar/",
    ]:
        page.goto(f"{base}{path}")
        violations += severe_violations(page)
    assert violations == [], "\n".join(violations)
