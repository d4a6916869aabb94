"""Time against money: hours (logged and from attendance) × the cohort's day rate ÷ 7.5 (funding/selectors.py),
beside the award on the admin's award page, the budget dashboard and the organisation's funding page.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import RSVP
from funding import selectors, services
from funding.models import HOURS_PER_DAY, DayRate
from tests.factories import EventFactory, ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    participant = ParticipantFactory()
    services.award_create(membership=participant.membership, amount=Decimal("20000.00"), created_by=None)
    return participant


def _log(participant, hours: str):
    services.time_log(
        membership=participant.membership,
        user=participant.user,
        date=date(2026, 11, 2),
        hours=Decimal(hours),
        activity="Writing up",
    )


def _attend(participant, *, minutes: int):
    start = timezone.now() - timedelta(days=2)
    event = EventFactory(
        cohort=participant.membership.cohort, starts_at=start, ends_at=start + timedelta(minutes=minutes)
    )
    rsvp = RSVP.objects.create(event=event, user=participant.user, membership=participant.membership, status="going")
    services.attendance_record(rsvps=[rsvp], attendance=RSVP.Attendance.ATTENDED)


def test_the_working_day_is_seven_and_a_half_hours():
    assert Decimal("7.5") == HOURS_PER_DAY


def test_time_value_is_exact_to_the_penny_rounding_half_up_once():
    assert selectors.time_value(Decimal("7.5"), Decimal("350.00")) == Decimal("350.00")
    assert selectors.time_value(Decimal("10.25"), Decimal("350.00")) == Decimal("478.33")  # 478.333…
    assert selectors.time_value(Decimal("0.25"), Decimal("0.30")) == Decimal("0.01")  # 0.01 exactly
    assert selectors.time_value(Decimal("0.25"), Decimal("0.15")) == Decimal("0.01")  # 0.005 → half up
    assert selectors.time_value(Decimal("3"), None) is None


def test_logged_and_attended_hours_are_valued_at_the_cohorts_rate(member):
    DayRate.objects.create(cohort=member.membership.cohort, rate=Decimal("412.50"))
    _log(member, "2.25")
    _log(member, "1.00")
    _attend(member, minutes=90)
    summary = selectors.time_summary(member.membership)
    # 4.75 h × £412.50 ÷ 7.5 = £261.25 exactly.
    assert summary == {
        "logged": Decimal("3.25"),
        "attended": Decimal("1.50"),
        "hours": Decimal("4.75"),
        "rate": Decimal("412.50"),
        "hours_per_day": Decimal("7.5"),
        "value": Decimal("261.25"),
    }


def test_without_a_day_rate_time_is_not_valued(member):
    _log(member, "2.00")
    assert selectors.time_summary(member.membership)["value"] is None


def test_the_dashboard_shows_time_value_beside_awarded_and_paid(client, member):
    DayRate.objects.create(cohort=member.membership.cohort, rate=Decimal("300.00"))
    _log(member, "10.00")
    other = ParticipantFactory(membership__cohort=member.membership.cohort)
    _log(other, "5.00")
    client.force_login(UserFactory(is_staff=True))
    page = client.get(reverse("funding:dashboard", args=[member.membership.cohort.slug])).content.decode()
    assert '<td data-label="Time value">£400.00</td>' in page  # 10 h × £300 ÷ 7.5
    assert '<td data-label="Time value">£200.00</td>' in page  # 5 h
    assert '<td data-label="Time value">£600.00</td></tr></tfoot>' in page
    assert "the cohort's day rate of £300.00 ÷ 7.5 hours a day" in page


def test_the_dashboard_says_how_to_set_a_rate_when_there_is_none(client, member):
    client.force_login(UserFactory(is_staff=True))
    page = client.get(reverse("funding:dashboard", args=[member.membership.cohort.slug])).content.decode()
    assert "No day rate is set for this cohort" in page
    assert '<td data-label="Time value">—</td>' in page


def test_the_organisation_sees_the_value_of_its_time_on_its_funding_page(client, member):
    DayRate.objects.create(cohort=member.membership.cohort, rate=Decimal("450.00"))
    _log(member, "3.00")
    _attend(member, minutes=120)
    client.force_login(member.user)
    page = client.get(member.membership.award.get_absolute_url()).content.decode()
    # 5 h × £450 ÷ 7.5 = £300.00
    assert "£300.00" in page
    assert "3 hours logged + 2 hours at events, at £450.00 a day of 7.5 hours" in page


def test_the_admin_award_page_sets_time_against_the_award(client, member):
    DayRate.objects.create(cohort=member.membership.cohort, rate=Decimal("375.00"))
    _log(member, "6.00")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:funding_award_change", args=[member.membership.award.pk])).content.decode()
    # 6 h × £375 ÷ 7.5 = £300.00
    assert (
        "6.00 hours (6.00 logged, 0.00 at events) × £375.00 a day ÷ 7.5 hours = £300.00, "
        "against £20,000.00 awarded and £0.00 approved or paid." in page
    )


def test_staff_set_the_day_rate_on_the_cohorts_admin_page(client, member):
    cohort = member.membership.cohort
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:cohorts_cohort_change", args=[cohort.pk])
    page = client.get(url)
    assert "Day rate (time against money)" in page.content.decode()
    assert 'name="day_rate-0-rate"' in page.content.decode()


def test_the_dashboard_total_time_value_is_the_sum_of_the_rounded_rows():
    from types import SimpleNamespace

    rows = [
        SimpleNamespace(award=None, scheduled=Decimal("0"), approved=Decimal("0"), paid=Decimal("0"), hours=h)
        for h in (Decimal("0.25"), Decimal("0.25"))
    ]
    result = selectors.totals(rows, rate=Decimal("0.15"))
    # Each row is 0.005 → £0.01; the page's column adds up to £0.02 (the total hours alone would give £0.01).
    assert [row.time_value for row in rows] == [Decimal("0.01"), Decimal("0.01")]
    assert result["time_value"] == Decimal("0.02")
    assert selectors.totals(rows, rate=None)["time_value"] is None
