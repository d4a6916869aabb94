"""funding/views.py: the award page, time logging, the budget dashboard and the finance exports."""

import csv
import html
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from funding import services
from funding.models import TimeEntry
from tests.factories import AwardFactory, CohortFactory, ParticipantFactory, UserFactory
from tests.funding.helpers import _instalment, finance


@pytest.mark.django_db
def test_an_organisation_sees_its_own_award_and_another_is_a_404(client):
    award = AwardFactory()
    own = ParticipantFactory(membership=award.membership)
    client.force_login(own.user)
    assert client.get(award.get_absolute_url()).status_code == 200
    client.force_login(ParticipantFactory(membership__cohort=award.membership.cohort).user)
    assert client.get(award.get_absolute_url()).status_code == 404
    client.force_login(UserFactory())
    assert client.get(award.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_participants_log_time_and_bad_hours_are_field_errors(client):
    award = AwardFactory()
    participant = ParticipantFactory(membership=award.membership)
    client.force_login(participant.user)
    response = client.post(
        award.get_absolute_url(), {"date": "2026-11-20", "hours": "2.5", "activity": "Drafting the output"}
    )
    assert response.status_code == 302
    assert TimeEntry.objects.get().hours == Decimal("2.50")
    for hours in ("0", "25", "-1", "many"):
        response = client.post(award.get_absolute_url(), {"date": "2026-11-20", "hours": hours, "activity": "x"})
        assert response.status_code == 200
        assert response.context["form"].errors["hours"]
    assert TimeEntry.objects.count() == 1


def _title(response) -> str:
    return " ".join(html.unescape(re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)[1]).split())


@pytest.mark.django_db
def test_the_award_pages_title_says_error_after_time_is_refused_and_not_before(client):
    award = AwardFactory(membership__organisation__name="Open Rivers Trust")
    client.force_login(ParticipantFactory(membership=award.membership).user)
    assert _title(client.get(award.get_absolute_url())) == "Funding · Open Rivers Trust · CohortNet"
    response = client.post(award.get_absolute_url(), {"date": "2026-11-20", "hours": "25", "activity": "x"})
    assert response.status_code == 200
    assert _title(response) == "Error: Funding · Open Rivers Trust · CohortNet"
    assert not TimeEntry.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("orgs", [1, 20])
def test_dashboard_queries_do_not_grow(client, django_assert_num_queries, orgs):
    cohort = CohortFactory()
    officer = finance()
    for _ in range(orgs):
        award = AwardFactory(membership__cohort=cohort)
        services.instalment_approve(instalment=_instalment(award, "1000.00", officer), by=officer)
    client.force_login(UserFactory(is_staff=True))
    # session, user, cohort, the rows (sums as subqueries), the navbar's reviewer check
    with django_assert_num_queries(5):
        response = client.get(reverse("funding:dashboard", args=[cohort.slug]))
    assert response.context["totals"]["approved"] == Decimal("1000.00") * orgs
    assert response.context["totals"]["remaining"] == Decimal("19000.00") * orgs
    assert "<svg" in response.content.decode()


@pytest.mark.django_db
def test_finance_exports_are_formula_safe_and_the_history_is_complete(client):
    award = AwardFactory(membership__organisation__name="=SUM(A1)")
    officer = finance()
    instalment = _instalment(award, "1000.00", officer)
    services.instalment_approve(instalment=instalment, by=officer)
    client.force_login(UserFactory(is_staff=True))
    slug = award.membership.cohort.slug
    rows = list(
        csv.reader(
            io.StringIO(client.get(reverse("funding:export_instalments", args=[slug])).content.decode("utf-8-sig"))
        )
    )
    assert rows[0][:3] == ["organisation", "award (GBP)", "instalment (GBP)"]
    assert rows[1][0] == "'=SUM(A1)"
    assert rows[1][4] == "Approved"
    history_csv = client.get(reverse("funding:export_history", args=[slug])).content.decode("utf-8-sig")
    history = list(csv.reader(io.StringIO(history_csv)))
    assert [r[4] for r in history[1:]] == ["instalment scheduled", "instalment approved"]
    client.force_login(ParticipantFactory(membership=award.membership).user)
    assert client.get(reverse("funding:export_history", args=[slug])).status_code == 302  # to the admin login


@pytest.mark.django_db
def test_time_in_the_future_or_before_the_cohort_is_refused_on_the_date(client):
    from datetime import timedelta

    from django.utils import timezone

    award = AwardFactory(membership__cohort__name="Cohort Rivers", membership__cohort__starts_on="2026-10-01")
    participant = ParticipantFactory(membership=award.membership, user__time_zone="Europe/London")
    client.force_login(participant.user)
    today = timezone.localtime(timezone.now(), timezone.get_fixed_timezone(0)).date()
    tomorrow = today + timedelta(days=2)
    response = client.post(award.get_absolute_url(), {"date": tomorrow.isoformat(), "hours": "2", "activity": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors["date"][0].startswith("Log time already spent: choose today (")
    response = client.post(award.get_absolute_url(), {"date": "2026-09-30", "hours": "2", "activity": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors["date"] == [
        "Cohort Rivers began on 01 Oct 2026: log time spent from then on."
    ]
    assert not TimeEntry.objects.exists()


@pytest.mark.django_db
def test_time_for_an_event_whose_attendance_is_counted_is_refused(client):
    from events.models import RSVP
    from tests.events.helpers import _started
    from tests.factories import EventFactory

    award = AwardFactory()
    participant = ParticipantFactory(membership=award.membership)
    event = _started(EventFactory(cohort=award.membership.cohort, title="Licensing clinic"))
    rsvp = RSVP.objects.create(
        event=event, user=participant.user, membership=award.membership, status=RSVP.Status.GOING
    )
    services.attendance_record(rsvps=[rsvp], attendance=RSVP.Attendance.ATTENDED)
    client.force_login(participant.user)
    data = {"date": event.starts_at.date().isoformat(), "hours": "1.5", "activity": "The clinic", "event": event.pk}
    response = client.post(award.get_absolute_url(), data)
    assert response.status_code == 200
    assert response.context["form"].errors["event"] == [
        "Your attendance at Licensing clinic is already counted (1.50 h, recorded when staff marked it): "
        "log other work, such as preparation, without choosing the event."
    ]
    assert TimeEntry.objects.count() == 1
