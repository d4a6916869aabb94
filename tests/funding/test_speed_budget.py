"""funding/views.py: the budget's chart and table are a cached fragment keyed on what they show (issue #20).

Every write that changes a figure on the page (through a service or through the admin's forms) changes the
fragment's key, so the next view shows the new figure, never the cached one.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from funding import services
from funding.models import DayRate
from tests.factories import AwardFactory, CohortFactory, MembershipFactory, ParticipantFactory, UserFactory
from tests.funding.helpers import _instalment, finance
from tests.test_admin_refusals import admin_form_data

pytestmark = pytest.mark.django_db


def _page(client, cohort) -> str:
    response = client.get(reverse("funding:dashboard", args=[cohort.slug]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_budget_shows_each_write_through_a_service_at_once(client):
    cohort = CohortFactory()
    award = AwardFactory(membership__cohort=cohort, membership__organisation__name="Open Rivers Trust")
    officer = finance()
    client.force_login(UserFactory(is_staff=True))
    assert "£0.00 to Open" not in _page(client, cohort)
    instalment = _instalment(award, "1234.00", officer)
    assert '<td data-label="Scheduled">£1,234.00</td>' in _page(client, cohort)
    services.instalment_approve(instalment=instalment, by=officer)
    page = _page(client, cohort)
    assert '<td data-label="Scheduled">£0.00</td><td data-label="Approved">£1,234.00</td>' in page
    services.instalment_mark_paid(instalment=instalment, by=finance(), invoice_reference="INV-1")
    assert '<td data-label="Paid">£1,234.00</td>' in _page(client, cohort)
    person = ParticipantFactory(membership=award.membership)
    services.time_log(membership=award.membership, user=person.user, date=date(2026, 11, 20), hours=Decimal("7.5"),
                      activity="Drafting")  # fmt: skip
    assert '<td data-label="Hours">7.50</td>' in _page(client, cohort)
    # A member without an award, added after the page was cached
    MembershipFactory(cohort=cohort, organisation__name="Zebra Data Co-op")
    assert "Zebra Data Co-op" in _page(client, cohort)


def test_the_budget_shows_each_write_through_the_admin_at_once(client):
    cohort = CohortFactory()
    award = AwardFactory(membership__cohort=cohort, amount=Decimal("10000.00"),
                         membership__organisation__name="Open Rivers Trust")  # fmt: skip
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = _page(client, cohort)
    assert '<td data-label="Awarded">£10,000.00</td>' in page
    url = reverse("admin:funding_award_change", args=[award.pk])
    data = admin_form_data(client.get(url))
    data.update(amount="12500.50")
    assert client.post(url, data).status_code == 302
    page = _page(client, cohort)
    assert '<td data-label="Awarded">£12,500.50</td>' in page
    assert '<td data-label="Remaining">£12,500.50</td>' in page
    url = reverse("admin:cohorts_organisation_change", args=[award.membership.organisation_id])
    data = admin_form_data(client.get(url))
    data.update(name="Open Rivers Trust Cymru")
    assert client.post(url, data).status_code == 302
    assert "Open Rivers Trust Cymru</a>" in _page(client, cohort)


def test_the_time_value_follows_the_day_rate(client):
    cohort = CohortFactory()
    award = AwardFactory(membership__cohort=cohort)
    person = ParticipantFactory(membership=award.membership)
    services.time_log(membership=award.membership, user=person.user, date=date(2026, 11, 20), hours=Decimal("7.5"),
                      activity="Drafting")  # fmt: skip
    client.force_login(UserFactory(is_staff=True))
    assert "No day rate is set" in _page(client, cohort)
    rate = DayRate.objects.create(cohort=cohort, rate=Decimal("300.00"))
    assert '<td data-label="Time value">£300.00</td>' in _page(client, cohort)
    rate.rate = Decimal("400.00")
    rate.save()
    assert '<td data-label="Time value">£400.00</td>' in _page(client, cohort)
