"""Writes for events: RSVPs and the waiting list, changes, 1:1 slots, attendance, written input."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Membership
from events.calendar import event_invitation, invitation_attachment, slot_invitation
from events.models import RSVP, CalendarToken, Event, SupportSlot, WrittenInput
from events.permissions import can_book_slot, can_cancel_slot, can_view_event
from notifications.services import email_queue, render_email
from toolbox.timezones import in_zone

ANSWER_SALT = "events.answer"
#: One-click answer links in emails stop working after this long.
ANSWER_LINK_MAX_AGE = timedelta(days=14)


@transaction.atomic
def rsvp_set(*, event: Event, user, going: bool, at=None) -> RSVP:
    """Record ``user``'s answer to ``event`` and return their RSVP.

    Locks the event row, then counts, then writes, so capacity and seats per
    organisation hold under concurrent answers: when the event is full a
    "going" answer joins the waiting list (first come, first served), and when
    someone stops going the first person waiting is promoted and emailed.
    Callable by participants of the event's cohort (and staff).
    """
    at = at or timezone.now()
    # The cohort comes with the locked row (only the event's row is locked): the permission reads it.
    event = Event.objects.select_for_update(of=("self",)).select_related("cohort").get(pk=event.pk)
    if not can_view_event(user, event):
        raise PermissionDenied
    if not event.rsvps_open(at):
        if event.status == Event.Status.CANCELLED:
            raise ValidationError("This event has been cancelled.")
        raise ValidationError("Answers for this event are closed.")

    rsvp = RSVP.objects.filter(event=event, user=user).first()
    previous = rsvp.status if rsvp else None
    if going and previous in (RSVP.Status.GOING, RSVP.Status.WAITLISTED):
        return rsvp  # nothing changes: answered again (a double click, a second tab)
    membership = rsvp.membership if rsvp and rsvp.membership_id else None
    if membership is None:
        membership = Membership.objects.for_participant(user, event.cohort).first()
    if going:
        if event.seats_per_organisation and membership is not None:
            taken = RSVP.objects.filter(
                event=event, membership=membership, status__in=[RSVP.Status.GOING, RSVP.Status.WAITLISTED]
            ).count()
            if taken >= event.seats_per_organisation:
                raise ValidationError(
                    f"{membership.organisation.name} already has its {event.seats_per_organisation} "
                    f"place{'s' if event.seats_per_organisation != 1 else ''} at this event."
                )
        going_count = RSVP.objects.filter(event=event, status=RSVP.Status.GOING).count()
        full = event.capacity is not None and going_count >= event.capacity
        status = RSVP.Status.WAITLISTED if full else RSVP.Status.GOING
    else:
        status = RSVP.Status.NOT_GOING

    if rsvp is None:
        rsvp = RSVP(event=event, user=user, membership=membership)
    rsvp.status = status
    # Taken under the lock, so the waiting list is in the order people got through it.
    rsvp.waiting_since = timezone.now() if status == RSVP.Status.WAITLISTED else None
    rsvp.full_clean()
    rsvp.save()

    if previous == RSVP.Status.GOING and status != RSVP.Status.GOING:
        _promote_from_waitlist(event)
    return rsvp


def _promote_from_waitlist(event: Event) -> RSVP | None:
    """Give a freed seat to whoever has waited longest, and email them. The caller holds the event lock."""
    going = RSVP.objects.filter(event=event, status=RSVP.Status.GOING).count()
    if event.capacity is not None and going >= event.capacity:
        return None
    first = (
        RSVP.objects.filter(event=event, status=RSVP.Status.WAITLISTED)
        .select_related("user")
        .order_by("waiting_since", "pk")
        .first()
    )
    if first is None:
        return None
    first.status = RSVP.Status.GOING
    first.waiting_since = None
    first.promotions = F("promotions") + 1
    first.save(update_fields=["status", "waiting_since", "promotions", "updated_at"])
    first.refresh_from_db(fields=["promotions"])
    text, html = render_email(
        "events/email/promoted",
        {"event": event, "user": first.user, "starts": in_zone(event.starts_at, first.user.time_zone)},
    )
    email_queue(
        # One email per promotion: promoted, dropped out and promoted again is two.
        key=f"rsvp-promoted:{first.pk}:{first.promotions}",
        kind="rsvp_promoted",
        to=first.user.email,
        subject=f"A place is yours: {event.title}",
        body_text=text,
        body_html=html,
        attachments=[_ics_attachment(event, first)],
    )
    return first


def _ics_attachment(event: Event, rsvp: RSVP) -> dict:
    """The invitation for ``rsvp``'s person: REQUEST (or CANCEL), in a part that says so."""
    method, content = event_invitation(event, rsvp=rsvp)
    return invitation_attachment(method, content, filename="event.ics")


@transaction.atomic
def event_changed(*, event: Event, note: str = "") -> Event:
    """After staff move, re-place or cancel an event: bump its SEQUENCE and tell everyone going or waiting.

    Staff only (the admin). Each person gets one email per change with the
    updated .ics, so calendars replace the entry (same UID, higher SEQUENCE)
    or remove it (METHOD:CANCEL).
    """
    Event.objects.filter(pk=event.pk).update(sequence=F("sequence") + 1)
    event = Event.objects.select_for_update().get(pk=event.pk)
    cancelled = event.status == Event.Status.CANCELLED
    people = RSVP.objects.filter(event=event, status__in=[RSVP.Status.GOING, RSVP.Status.WAITLISTED]).select_related(
        "user"
    )
    for rsvp in people:
        text, html = render_email(
            "events/email/changed",
            {
                "event": event,
                "rsvp": rsvp,
                "cancelled": cancelled,
                "note": note,
                "starts": in_zone(event.starts_at, rsvp.user.time_zone),
                "starts_event_zone": in_zone(event.starts_at, event.time_zone),
                "not_going_link": answer_link(event=event, user=rsvp.user, answer="not_going"),
            },
        )
        email_queue(
            key=f"event-change:{event.pk}:{event.sequence}:{rsvp.user_id}",
            kind="event_cancelled" if cancelled else "event_changed",
            to=rsvp.user.email,
            subject=f"{'Cancelled' if cancelled else 'Changed'}: {event.title}",
            body_text=text,
            body_html=html,
            attachments=[_ics_attachment(event, rsvp)],
        )
    return event


@transaction.atomic
def event_cancel(*, event: Event, by, note: str = "") -> Event:
    """Staff cancel an event: no more answers, and everyone going or waiting is told."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status == Event.Status.CANCELLED:
        raise ValidationError("This event is already cancelled.")
    event.status = Event.Status.CANCELLED
    event.save(update_fields=["status", "updated_at"])
    return event_changed(event=event, note=note)


# --- One-click answers ------------------------------------------------------------------------


def answer_link(*, event: Event, user, answer: str) -> str:
    """A signed link that sets this one person's answer to this one event, without a login."""
    token = signing.dumps({"e": event.pk, "u": user.pk, "a": answer}, salt=ANSWER_SALT)
    return f"{settings.SITE_URL}{reverse('events:answer', kwargs={'token': token})}"


def answer_link_read(*, token: str) -> tuple[Event, object, bool]:
    """Read an answer link: (event, person, going). Changes nothing; a bad or expired link raises ValidationError."""
    from django.contrib.auth import get_user_model

    try:
        data = signing.loads(token, salt=ANSWER_SALT, max_age=ANSWER_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError("This link has expired. Open the event on the site to answer.") from None
    except signing.BadSignature:
        raise ValidationError("This link is not valid. Open the event on the site to answer.") from None
    if data.get("a") not in ("going", "not_going"):
        raise ValidationError("This link is not valid. Open the event on the site to answer.")
    event = Event.objects.filter(pk=data.get("e")).first()
    user = get_user_model().objects.filter(pk=data.get("u"), is_active=True).first()
    if event is None or user is None:
        raise ValidationError("This link is not valid. Open the event on the site to answer.")
    return event, user, data["a"] == "going"


def answer_from_link(*, token: str) -> RSVP:
    """Apply an answer link, on the POST from its page (mail scanners only GET).

    Anyone holding the link may call it: the signed token names the person. A
    tampered or expired link raises ValidationError and changes nothing.
    """
    event, user, going = answer_link_read(token=token)
    try:
        return rsvp_set(event=event, user=user, going=going)
    except PermissionDenied:
        raise ValidationError("You are no longer a participant of this event's cohort.") from None


# --- Calendar feed ------------------------------------------------------------------------------


def calendar_token_for(user) -> CalendarToken:
    token, _created = CalendarToken.objects.get_or_create(user=user)
    return token


@transaction.atomic
def calendar_token_revoke(*, user) -> CalendarToken:
    """Replace the secret feed URL: the old one stops working at once."""
    CalendarToken.objects.filter(user=user).delete()
    return CalendarToken.objects.create(user=user)


# --- 1:1 support --------------------------------------------------------------------------------

#: Fields of a slot a host (or staff) may change; a change is sent to both sides when the slot is booked.
SLOT_CHANGE_FIELDS = ("host", "starts_at", "ends_at", "time_zone", "online_url", "topic")


def _slot_tell(slot: SupportSlot, *, what: str, booker, host=None) -> None:
    """Email the booker and the host about ``slot`` with its iTIP file (REQUEST, or CANCEL when cancelled).

    ``what`` is booked, changed or cancelled. One email per person per SEQUENCE.
    ``host`` alone (no ``booker``) tells only that host: a host taken off a slot gets its CANCEL.
    """
    cancelled = what == "cancelled"
    subjects = {"booked": "Booked", "changed": "Changed", "cancelled": "Cancelled"}
    people = [(host, True)] if host is not None else [(booker, False), (slot.host, True)]
    for person, for_host in people:
        if person is None or not person.email:
            continue
        method, content = slot_invitation(slot, booker=booker, for_host=for_host, cancelled=cancelled, host=host)
        organisation = slot.booked_by.organisation.name if slot.booked_by_id else ""
        text, html = render_email(
            "events/email/slot",
            {
                "slot": slot,
                "what": what,
                "for_host": for_host,
                "person": person,
                "booker": booker,
                "organisation": organisation,
                "starts": in_zone(slot.starts_at, person.time_zone),
                "starts_slot_zone": in_zone(slot.starts_at, slot.time_zone),
                "reassigned": host is not None,
            },
        )
        email_queue(
            key=f"slot-{what}:{slot.pk}:{slot.sequence}:{person.pk}",
            kind=f"slot_{what}",
            to=person.email,
            subject=f"{subjects[what]}: 1:1 support on {in_zone(slot.starts_at, person.time_zone):%d %b %Y}",
            body_text=text,
            body_html=html,
            attachments=[invitation_attachment(method, content, filename="support.ics")],
        )


@transaction.atomic
def support_slot_book(*, slot: SupportSlot, user) -> SupportSlot:
    """An organisation books a 1:1 slot, and the booker and the host each get an invitation.

    The conditional UPDATE means only one organisation ever gets it; it also
    raises the slot's SEQUENCE, so the invitation replaces any earlier
    cancellation in the host's calendar. Participants of the slot's cohort only.
    """
    membership = Membership.objects.for_participant(user, slot.cohort).first()
    if not can_book_slot(user, slot.cohort, membership):
        raise PermissionDenied
    if slot.starts_at <= timezone.now():
        raise ValidationError("This slot has already started.")
    won = SupportSlot.objects.filter(pk=slot.pk, booked_by__isnull=True).update(
        booked_by=membership, booked_by_user=user, booked_at=timezone.now(), sequence=F("sequence") + 1
    )
    if not won:
        raise ValidationError("Sorry, another organisation has just booked this slot. Please choose another.")
    slot = SupportSlot.objects.select_related("host", "booked_by__organisation").get(pk=slot.pk)
    _slot_tell(slot, what="booked", booker=user)
    return slot


@transaction.atomic
def support_slot_cancel(*, slot: SupportSlot, user) -> SupportSlot:
    """Either side cancels: the booking organisation's participants, the host, or staff.

    Locks the slot; frees it, raises its SEQUENCE and sends both sides a CANCEL.
    """
    slot = SupportSlot.objects.select_for_update().get(pk=slot.pk)
    if slot.booked_by_id is None:
        raise ValidationError("This slot is not booked.")
    if not can_cancel_slot(user, slot, Membership.objects.for_participant(user, slot.cohort).first()):
        raise PermissionDenied
    booker = slot.booked_by_user
    slot.sequence += 1
    # Told before it is freed, so the message can still name the organisation.
    _slot_tell(slot, what="cancelled", booker=booker)
    slot.booked_by = None
    slot.booked_by_user = None
    slot.booked_at = None
    slot.save(update_fields=["booked_by", "booked_by_user", "booked_at", "sequence"])
    return slot


_UNCHANGED = object()


@transaction.atomic
def support_slot_update(
    *,
    slot: SupportSlot,
    by,
    host=_UNCHANGED,
    starts_at=_UNCHANGED,
    ends_at=_UNCHANGED,
    time_zone=_UNCHANGED,
    online_url=_UNCHANGED,
    topic=_UNCHANGED,
) -> SupportSlot:
    """The host or staff change a slot's host, time, zone, online link or topic.

    Locks the slot. When anything changed and the slot is booked, raises its
    SEQUENCE and sends the booker and the host the updated invitation (same
    UID), so their calendars move the entry; a host taken off a booked slot
    gets a CANCEL, so it leaves their calendar. Arguments left out stay as they are.
    """
    slot = (
        SupportSlot.objects.select_for_update(of=("self",))
        .select_related("host", "booked_by__organisation", "booked_by_user")
        .get(pk=slot.pk)
    )
    if not (by.is_staff or by.pk == slot.host_id):
        raise PermissionDenied
    asked = {
        "host": host,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "time_zone": time_zone,
        "online_url": online_url,
        "topic": topic,
    }
    changed = [name for name, value in asked.items() if value is not _UNCHANGED and value != getattr(slot, name)]
    if not changed:
        return slot
    previous_host = slot.host
    for name in changed:
        setattr(slot, name, asked[name])
    if slot.ends_at <= slot.starts_at:
        raise ValidationError("A slot must end after it starts.")
    if slot.booked_by_id and slot.starts_at <= timezone.now() and {"starts_at", "ends_at"} & set(changed):
        raise ValidationError("A booked slot cannot be moved into the past.")
    slot.full_clean()
    slot.sequence += 1
    slot.save(update_fields=[*changed, "sequence"])
    if slot.booked_by_id:
        if "host" in changed:
            _slot_tell(slot, what="cancelled", booker=slot.booked_by_user, host=previous_host)
        _slot_tell(slot, what="changed", booker=slot.booked_by_user)
    return slot


# --- During and after ---------------------------------------------------------------------------


@transaction.atomic
def written_input_add(*, event: Event, user, body: str) -> WrittenInput:
    """Someone who cannot attend sends their thoughts, before or after. Participants only."""
    if not can_view_event(user, event) or event.cohort.has_ended:
        raise PermissionDenied
    written = WrittenInput(event=event, author=user, body=body)
    written.full_clean()
    written.save()
    return written


@transaction.atomic
def attendance_mark(*, rsvps, attendance: str) -> int:
    """Staff mark who attended (or did not), in bulk. Returns how many were marked."""
    if attendance not in (RSVP.Attendance.ATTENDED, RSVP.Attendance.NO_SHOW, ""):
        raise ValidationError("Unknown attendance.")
    locked = list(RSVP.objects.select_for_update().filter(pk__in=[r.pk for r in rsvps]).select_related("event"))
    if attendance:
        # Nobody has attended (or missed) an event yet to start; attending also counts as funded time.
        now = timezone.now()
        for event in {rsvp.event for rsvp in locked if rsvp.event.starts_at > now}:
            starts = in_zone(event.starts_at, event.time_zone)
            raise ValidationError(
                f"{event.title} has not started yet (it starts {starts:%d %b %Y %H:%M} {starts.tzname()}): "
                "mark attendance once it has started."
            )
    count = 0
    for rsvp in locked:
        rsvp.attendance = attendance
        rsvp.save(update_fields=["attendance", "updated_at"])
        count += 1
    return count


# --- Staff edit an event (the admin) ------------------------------------------------------------

#: Changing any of these tells everyone going or waiting, with an updated .ics.
CHANGES_TO_ANNOUNCE = frozenset({"starts_at", "ends_at", "time_zone", "location", "online_url", "status", "title"})
#: What staff may change on an event; the rest (sequence, RSVPs) is kept by the services.
EVENT_FIELDS = frozenset(
    {
        "cohort", "kind", "theme", "title", "description", "starts_at", "ends_at", "time_zone", "location",
        "online_url", "capacity", "seats_per_organisation", "speakers", "notes", "rsvp_deadline", "status",
    }
)  # fmt: skip


@transaction.atomic
def event_update(*, event: Event, by, **changes) -> tuple[Event, list[RSVP]]:
    """Staff change an event's details. Locks the event. Returns the event and whoever was promoted.

    More seats (a higher capacity, or none) go to the waiting list in the order
    people joined it, each promoted person emailed; a change of time, place,
    link, title or status tells everyone going or waiting (``event_changed``).
    """
    unknown = set(changes) - EVENT_FIELDS
    if unknown:
        raise TypeError(f"Unknown event fields: {', '.join(sorted(unknown))}")
    locked = Event.objects.select_for_update().get(pk=event.pk)
    announce = {field for field, value in changes.items() if getattr(locked, field) != value} & CHANGES_TO_ANNOUNCE
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.full_clean()
    locked.save()
    promoted = []
    if locked.status != Event.Status.CANCELLED:
        while (rsvp := _promote_from_waitlist(locked)) is not None:
            promoted.append(rsvp)
    if announce:
        locked = event_changed(event=locked)
    return locked, promoted
