"""A participant's home: what is next for them across the cohorts they take part in.

Reads only. Each section costs one or two queries whatever the number of events,
threads, themes or resources, so the page costs the same for a busy programme
as for a new one. Composed here because it spans cohorts and events.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from cohorts.models import Cohort, Contribution, Membership, Message, Resource
from events.models import RSVP, Event

#: How long before an event starts its join link becomes the home's main button.
#: How many rows each list on the home shows; a count and a link cover the rest.
LIST_LIMIT = 5


def join_is_open(event: Event, rsvp: RSVP | None, now: datetime) -> bool:
    """The join link is offered as a button: to someone going, from 30 minutes before the start to the end.

    Never to anyone not going (the link is for people with a seat), never for a cancelled event.
    """
    return bool(
        event.online_url and rsvp is not None and rsvp.status == RSVP.Status.GOING and event.join_window_open(now)
    )


@dataclass
class NextEvent:
    event: Event
    rsvp: RSVP | None
    join_open: bool
    under_way: bool


@dataclass
class ContributionDue:
    membership: Membership
    theme: object
    contribution: Contribution | None

    @property
    def url(self) -> str:
        return f"{reverse('cohorts:contributions', args=[self.membership.cohort.slug])}?theme={self.theme.pk}"


@dataclass
class ParticipantHome:
    memberships: list[Membership]
    next_event: NextEvent | None = None
    rsvps_needed: list[Event] = field(default_factory=list)
    rsvps_needed_count: int = 0
    unread_threads: list[Message] = field(default_factory=list)
    unread_count: int = 0
    contributions_due: list[ContributionDue] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)

    @property
    def rsvps_more(self) -> int:
        return self.rsvps_needed_count - len(self.rsvps_needed)

    @property
    def unread_more(self) -> int:
        return self.unread_count - len(self.unread_threads)


def current_memberships(user) -> list[Membership]:
    """The memberships ``user`` takes part in whose cohort has not ended, oldest cohort first."""
    return list(
        Membership.objects.filter(participants__user=user)
        .exclude(cohort__status=Cohort.Status.COMPLETED)
        .select_related("cohort", "organisation")
        .order_by("cohort__starts_on", "cohort__name", "organisation__name")
    )


def participant_home(user, now: datetime) -> ParticipantHome:
    """Everything the home shows a participant; an empty home for someone in no running cohort."""
    memberships = current_memberships(user)
    home = ParticipantHome(memberships=memberships)
    if not memberships:
        return home
    cohort_ids = sorted({m.cohort_id for m in memberships})
    scheduled = Event.objects.filter(cohort_id__in=cohort_ids, status=Event.Status.SCHEDULED).select_related(
        "theme", "cohort"
    )
    mine = RSVP.objects.filter(event=OuterRef("pk"), user=user)

    # The next event they may go to: under way or to come, unless they said they are not going.
    event = (
        scheduled.filter(ends_at__gt=now)
        .exclude(Exists(mine.filter(status=RSVP.Status.NOT_GOING)))
        .order_by("starts_at", "pk")
        .first()
    )
    if event is not None:
        rsvp = RSVP.objects.filter(event=event, user=user).first()
        home.next_event = NextEvent(
            event=event, rsvp=rsvp, join_open=join_is_open(event, rsvp, now), under_way=event.starts_at <= now
        )

    # Answers still wanted: to come, not answered, and the RSVP deadline (if any) not passed.
    needed = (
        scheduled.filter(starts_at__gt=now)
        .filter(Q(rsvp_deadline__isnull=True) | Q(rsvp_deadline__gt=now))
        .exclude(Exists(mine))
        .order_by("starts_at", "pk")
    )
    home.rsvps_needed = list(needed[:LIST_LIMIT])
    home.rsvps_needed_count = needed.count()

    unread = Message.objects.unread_for(user, cohort_ids).select_related("cohort", "author")
    home.unread_threads = list(unread.order_by("-last_activity", "-pk")[:LIST_LIMIT])
    home.unread_count = unread.count()

    home.contributions_due = _contributions_due(memberships)
    home.resources = list(
        Resource.objects.filter(cohort_id__in=cohort_ids)
        .select_related("cohort", "added_by")
        .order_by("-created_at", "-pk")[:LIST_LIMIT]
    )
    return home


def _contributions_due(memberships: list[Membership]) -> list[ContributionDue]:
    """Themes an organisation said it works on with nothing written yet, and texts not signed off. Two queries."""
    by_id = {m.pk: m for m in memberships}
    chosen = Membership.themes.through.objects.filter(membership_id__in=list(by_id)).select_related("theme")
    written = {
        (c.membership_id, c.theme_id): c
        for c in Contribution.objects.filter(membership_id__in=list(by_id)).select_related("theme")
    }
    due = [
        ContributionDue(by_id[row.membership_id], row.theme, None)
        for row in chosen
        if (row.membership_id, row.theme_id) not in written
    ]
    due += [ContributionDue(by_id[c.membership_id], c.theme, c) for c in written.values() if c.signed_off_at is None]
    memberships_order = {m.pk: n for n, m in enumerate(memberships)}
    due.sort(key=lambda d: (memberships_order[d.membership.pk], d.theme.position, d.theme.name))
    return due
