"""The staff home: what needs someone today, as counts that link to the filtered admin lists.

Reads only. Each figure comes from one aggregate query, and the events of the
next fortnight come in one query with their counts as subqueries, so the page
costs the same number of queries whatever the size of the programme.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from applications.models import Application, ReviewAssignment
from cohortnet.review_list import review_states
from cohorts.models import Contribution, Participant
from events.models import RSVP, Event, WrittenInput
from funding.models import Instalment
from notifications.models import Email

#: How far ahead the home page looks for events.
EVENTS_AHEAD = timedelta(days=14)


@dataclass
class Figure:
    """One figure on the home page and the admin list that shows exactly those rows."""

    label: str
    count: int
    url: str


@dataclass
class Section:
    title: str
    counts: list[Figure] = field(default_factory=list)


@dataclass
class UpcomingEvent:
    title: str
    starts_at: datetime
    time_zone: str
    url: str
    going: Figure
    waiting: Figure
    not_answered: int
    written_inputs: int


@dataclass
class StaffHome:
    sections: list[Section]
    events: list[UpcomingEvent]


def _changelist(model, **filters) -> str:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def _applications(can) -> Section | None:
    if not can("applications.view_application"):
        return None
    counts = dict(Application.objects.order_by().values_list("status").annotate(n=Count("pk")))
    return Section(
        "Applications by workflow state",
        [
            Figure(label, counts.get(status, 0), _changelist(Application, status__exact=status))
            for status, label in Application.Status.choices
        ],
    )


def _reviews(can, now: datetime) -> Section | None:
    if not can("applications.view_reviewassignment"):
        return None
    states = review_states(now)
    shown = ("open", "overdue", "conflict")
    figures = ReviewAssignment.objects.aggregate(**{key: Count("pk", filter=states[key][1]) for key in shown})
    return Section(
        "Reviews",
        [Figure(states[key][0], figures[key], _changelist(ReviewAssignment, review=key)) for key in shown],
    )


def _emails(can) -> Section | None:
    if not can("notifications.view_email"):
        return None
    figures = Email.objects.aggregate(
        held=Count("pk", filter=Q(status=Email.Status.HELD, kind="decision")),
        failed=Count("pk", filter=Q(status=Email.Status.FAILED)),
    )
    return Section(
        "Email",
        [
            Figure(
                "Decisions made, emails held for review",
                figures["held"],
                _changelist(Email, status__exact=Email.Status.HELD, kind__exact="decision"),
            ),
            Figure("Emails that failed", figures["failed"], _changelist(Email, status__exact=Email.Status.FAILED)),
        ],
    )


def _instalments(can, today: date) -> Section | None:
    if not can("funding.view_instalment"):
        return None
    unpaid = (Instalment.Status.SCHEDULED, Instalment.Status.APPROVED)
    figures = Instalment.objects.aggregate(
        # One that waits for a report is neither due nor awaiting approval until the report is accepted.
        due=Count("pk", filter=Q(status__in=unpaid, due_on__lte=today, held_for="")),
        approval=Count("pk", filter=Q(status=Instalment.Status.SCHEDULED, held_for="")),
        payment=Count("pk", filter=Q(status=Instalment.Status.APPROVED)),
    )
    return Section(
        "Funding",
        [
            Figure(
                "Instalments due by today, not yet paid",
                figures["due"],
                _changelist(Instalment, status__in=",".join(unpaid), due_on__lte=today.isoformat(), held="no"),
            ),
            Figure(
                "Instalments awaiting approval",
                figures["approval"],
                _changelist(Instalment, status__exact=Instalment.Status.SCHEDULED, held="no"),
            ),
            Figure(
                "Instalments approved, awaiting payment",
                figures["payment"],
                _changelist(Instalment, status__exact=Instalment.Status.APPROVED),
            ),
        ],
    )


def _contributions(can) -> Section | None:
    if not can("cohorts.view_contribution"):
        return None
    waiting = Contribution.objects.filter(signed_off_at__isnull=True).count()
    return Section(
        "Contributions to the publication",
        [Figure("Written, waiting for sign-off", waiting, _changelist(Contribution, signed_off_at__isnull="True"))],
    )


def _count(queryset) -> Subquery:
    """The number of rows of ``queryset`` (correlated to the outer event), as an integer column."""
    return Coalesce(
        Subquery(queryset.order_by().values(one=Value(1)).annotate(n=Count("*")).values("n")[:1]),
        Value(0),
        output_field=IntegerField(),
    )


def _events(can, now: datetime) -> list[UpcomingEvent]:
    if not can("events.view_event"):
        return []
    answered = RSVP.objects.filter(event=OuterRef(OuterRef("pk")), user=OuterRef("user"))
    # People of the event's cohort who have not answered, each person once however many organisations they are in.
    unanswered = (
        Participant.objects.filter(membership__cohort=OuterRef("cohort"))
        .filter(~Exists(answered))
        .order_by()
        .values(one=Value(1))
        .annotate(n=Count("user", distinct=True))
        .values("n")[:1]
    )
    events = (
        Event.objects.filter(status=Event.Status.SCHEDULED, starts_at__gte=now, starts_at__lte=now + EVENTS_AHEAD)
        .annotate(
            going_total=Count("rsvps", filter=Q(rsvps__status=RSVP.Status.GOING)),
            waiting_total=Count("rsvps", filter=Q(rsvps__status=RSVP.Status.WAITLISTED)),
            unanswered_total=Coalesce(Subquery(unanswered), Value(0), output_field=IntegerField()),
            inputs_total=_count(WrittenInput.objects.filter(event=OuterRef("pk"))),
        )
        .order_by("starts_at", "pk")
    )
    return [
        UpcomingEvent(
            title=event.title,
            starts_at=event.starts_at,
            time_zone=event.time_zone,
            url=reverse("admin:events_event_change", args=[event.pk]),
            going=Figure(
                "going",
                event.going_total,
                _changelist(RSVP, event__id__exact=event.pk, status__exact=RSVP.Status.GOING),
            ),
            waiting=Figure(
                "waiting",
                event.waiting_total,
                _changelist(RSVP, event__id__exact=event.pk, status__exact=RSVP.Status.WAITLISTED),
            ),
            not_answered=event.unanswered_total,
            written_inputs=event.inputs_total,
        )
        for event in events
    ]


def staff_home(user, *, now: datetime | None = None) -> StaffHome:
    """What needs someone today, limited to the lists ``user`` may view."""
    now = now or timezone.now()
    can = user.has_perm
    sections = [
        _applications(can),
        _reviews(can, now),
        _emails(can),
        _instalments(can, timezone.localdate(now)),
        _contributions(can),
    ]
    return StaffHome(sections=[s for s in sections if s is not None], events=_events(can, now))
