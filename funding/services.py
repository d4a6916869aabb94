"""Writes for funding: awards, instalments under the award's lock, the history, time spent.

The invariant "approved plus paid never exceeds the award" is kept twice: here,
under a row lock on the award, with a message naming what remains; and in the
database, where ``Award.committed`` (kept by these services) has a check
constraint against the amount, so a write past the cap fails even outside them.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Min, Sum
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from cohorts.models import Membership, Participant
from events.models import RSVP
from events.services import attendance_mark
from funding.models import Award, FundingChange, Instalment, TimeEntry
from funding.permissions import can_log_time, is_finance
from toolbox.timezones import in_zone

AWARD_FIELDS = ["amount", "vat_note", "status", "agreement_signed_on", "notes"]
INSTALMENT_FIELDS = ["amount", "due_on", "status", "invoice_reference", "invoice_file"]
#: What staff may change on an instalment after scheduling it (its state changes only by the services below).
INSTALMENT_EDITABLE = ["due_on", "invoice_reference", "invoice_file"]


def _plain(value):
    if isinstance(value, FieldFile):
        return value.name or ""
    return str(value) if isinstance(value, (Decimal, date)) else value


def _snapshot(obj, fields) -> dict:
    """The fields' values as JSON-safe text, for the history."""
    return {field: _plain(getattr(obj, field)) for field in fields}


def _log(*, award, action, by, before=None, after=None, instalment=None) -> None:
    FundingChange.objects.create(
        award=award, instalment=instalment, action=action, before=before or {}, after=after or {}, by=by
    )


def _call_cap(membership: Membership) -> Decimal | None:
    # The lowest cap of the cohort's open calls, read through the relation (funding does not import applications).
    return membership.cohort.open_calls.aggregate(cap=Min("funding_cap"))["cap"]


def _check_amount(membership: Membership, amount: Decimal) -> None:
    cap = _call_cap(membership)
    if cap is not None and amount > cap:
        raise ValidationError({"amount": [f"This cohort's open call funds at most £{cap:,.2f} per organisation."]})


@transaction.atomic
def award_create(*, membership: Membership, amount: Decimal, created_by, **details) -> Award:
    """Record the funding offered to one member organisation. Staff (the admin).

    The amount lies between £0.01 and £20,000 (also a database check) and
    within the open call's cap if that is lower. Locks the membership first, so
    that of two staff adding an award for it at once the second waits, then sees
    the first award and is refused in these words (the unique key is the backstop).
    """
    Membership.objects.select_for_update().get(pk=membership.pk)
    if Award.objects.filter(membership=membership).exists():
        raise ValidationError(f"{membership.organisation} already has an award for {membership.cohort}.")
    _check_amount(membership, amount)
    award = Award(membership=membership, amount=amount, created_by=created_by, **details)
    award.full_clean()
    award.save()
    _log(award=award, action="award created", by=created_by, after=_snapshot(award, AWARD_FIELDS))
    return award


@transaction.atomic
def award_update(*, award: Award, by, **changes) -> Award:
    """Change an award's amount, status, VAT note, agreement date or notes. Locks the award.

    The amount cannot go below what is already approved or paid.
    """
    locked = Award.objects.select_for_update().get(pk=award.pk)
    before = _snapshot(locked, AWARD_FIELDS)
    for field, value in changes.items():
        if field not in AWARD_FIELDS + ["agreement_file"]:
            raise TypeError(f"Unknown award field {field}")
        setattr(locked, field, value)
    if "amount" in changes:
        _check_amount(locked.membership, locked.amount)
        if locked.amount < locked.committed:
            raise ValidationError(
                {"amount": [f"£{locked.committed:,.2f} is already approved or paid; the award cannot be less."]}
            )
    locked.full_clean()
    locked.save()
    after = _snapshot(locked, AWARD_FIELDS)
    if before != after or "agreement_file" in changes:
        _log(award=locked, action="award changed", by=by, before=before, after=after)
    return locked


def _check_invoice_reference(instalment: Instalment) -> None:
    """One invoice pays one instalment of an award (any case); the database's unique key is the backstop."""
    if not instalment.invoice_reference:
        return
    taken = (
        Instalment.objects.filter(award_id=instalment.award_id, invoice_reference__iexact=instalment.invoice_reference)
        .exclude(status=Instalment.Status.CANCELLED)
        .exclude(pk=instalment.pk)
        .first()
    )
    if taken is not None:
        raise ValidationError(
            {
                "invoice_reference": [
                    f"Invoice reference {instalment.invoice_reference} is already used by the instalment of "
                    f"£{taken.amount:,.2f} due {taken.due_on:%d %b %Y} on this award."
                ]
            }
        )


@transaction.atomic
def instalment_schedule(
    *, award: Award, amount: Decimal, due_on, by, invoice_reference: str = "", invoice_file=None
) -> Instalment:
    """Plan a payment of an award. Staff (the admin).

    Locks the award row, then sums its live (scheduled, approved and paid)
    instalments: a new one that would take them past the award is refused
    here, when it is made, not later when someone tries to approve it.
    Scheduling commits nothing; approving does.
    """
    award = Award.objects.select_for_update().get(pk=award.pk)
    planned = award.instalments.filter(status__in=Instalment.LIVE).aggregate(total=Sum("amount"))["total"] or Decimal(
        "0.00"
    )
    if amount is not None and planned + amount > award.amount:
        remaining = max(award.amount - planned, Decimal("0.00"))
        raise ValidationError(
            {
                "amount": [
                    f"Scheduling £{amount:,.2f} would take this award's instalments over the award: "
                    f"only £{remaining:,.2f} remains of this £{award.amount:,.2f} award."
                ]
            }
        )
    instalment = Instalment(award=award, amount=amount, due_on=due_on, invoice_reference=invoice_reference)
    if invoice_file:
        instalment.invoice_file = invoice_file
    _check_invoice_reference(instalment)
    instalment.full_clean()
    instalment.save()
    _log(
        award=award,
        instalment=instalment,
        action="instalment scheduled",
        by=by,
        after=_snapshot(instalment, INSTALMENT_FIELDS),
    )
    return instalment


@transaction.atomic
def instalment_update(*, instalment: Instalment, by, **changes) -> Instalment:
    """Change a scheduled instalment's due date, invoice reference or invoice file. Staff (the admin).

    Locks the award (its instalments' invoice references are checked under
    it) and the instalment. The amount and the award are fixed once an
    instalment is scheduled: cancel it and schedule another. Paid and
    cancelled instalments keep their due date. Every change is written to
    the history.
    """
    award = Award.objects.select_for_update().get(pk=instalment.award_id)
    locked = Instalment.objects.select_for_update().get(pk=instalment.pk)
    for field in ("amount", "award"):
        if field in changes and changes[field] != getattr(locked, field):
            raise ValidationError(
                f"The {field} of a scheduled instalment is fixed; cancel it and schedule a new one instead."
            )
        changes.pop(field, None)
    unknown = set(changes) - set(INSTALMENT_EDITABLE)
    if unknown:
        raise TypeError(f"Unknown instalment field(s) {', '.join(sorted(unknown))}")
    closed = locked.status in (Instalment.Status.PAID, Instalment.Status.CANCELLED)
    if closed and "due_on" in changes and changes["due_on"] != locked.due_on:
        raise ValidationError(
            {"due_on": [f"A {locked.get_status_display().lower()} instalment's due date can no longer change."]}
        )
    before = _snapshot(locked, INSTALMENT_FIELDS)
    for field, value in changes.items():
        # False is a form's "clear this file".
        setattr(locked, field, "" if value is False else value)
    _check_invoice_reference(locked)
    locked.full_clean()
    locked.save()
    after = _snapshot(locked, INSTALMENT_FIELDS)
    if before != after:
        _log(award=award, instalment=locked, action="instalment changed", by=by, before=before, after=after)
    return locked


@transaction.atomic
def instalment_approve(*, instalment: Instalment, by) -> Instalment:
    """Approve a scheduled instalment. Finance only.

    Locks the award row, then checks that approved plus paid stays within the
    award, then raises the award's committed total.
    """
    if not is_finance(by):
        raise PermissionDenied
    award = Award.objects.select_for_update().get(pk=instalment.award_id)
    instalment = Instalment.objects.select_for_update().get(pk=instalment.pk)
    if instalment.status != Instalment.Status.SCHEDULED:
        raise ValidationError(
            f"Only scheduled instalments can be approved; this one is {instalment.get_status_display().lower()}."
        )
    if instalment.is_held:
        raise ValidationError(held_message(instalment))
    if award.committed + instalment.amount > award.amount:
        raise ValidationError(
            f"Approving £{instalment.amount:,.2f} would take approved and paid instalments over the award of "
            f"£{award.amount:,.2f}: £{award.remaining:,.2f} remains."
        )
    before = _snapshot(instalment, INSTALMENT_FIELDS)
    award.committed += instalment.amount
    award.save(update_fields=["committed"])
    instalment.status = Instalment.Status.APPROVED
    instalment.approved_by = by
    instalment.approved_at = timezone.now()
    instalment.save(update_fields=["status", "approved_by", "approved_at"])
    _log(
        award=award,
        instalment=instalment,
        action="instalment approved",
        by=by,
        before=before,
        after=_snapshot(instalment, INSTALMENT_FIELDS),
    )
    return instalment


#: Written into the history when one person both approved and paid, as the setting allows.
SAME_APPROVER_AND_PAYER_WAIVED = "approved and paid by the same person (FUNDING_ALLOW_SAME_APPROVER_AND_PAYER)"


@transaction.atomic
def instalment_mark_paid(*, instalment: Instalment, by, invoice_reference: str | None = None) -> Instalment:
    """Record that an approved instalment was paid. Finance only. The committed total does not change.

    Locks the award and the instalment. The person who approved it may not
    also pay it, unless FUNDING_ALLOW_SAME_APPROVER_AND_PAYER waives the
    separation (a one-person finance team); the history then says so.
    """
    if not is_finance(by):
        raise PermissionDenied
    award = Award.objects.select_for_update().get(pk=instalment.award_id)
    instalment = Instalment.objects.select_for_update().get(pk=instalment.pk)
    if instalment.status != Instalment.Status.APPROVED:
        raise ValidationError("Only approved instalments can be marked paid.")
    if instalment.is_held:
        raise ValidationError(held_message(instalment))
    same_person = instalment.approved_by_id == by.pk
    if same_person and not settings.FUNDING_ALLOW_SAME_APPROVER_AND_PAYER:
        raise ValidationError(
            "You approved this instalment, so another member of Finance must mark it paid: "
            "approving and paying are kept apart."
        )
    before = _snapshot(instalment, INSTALMENT_FIELDS)
    instalment.status = Instalment.Status.PAID
    instalment.paid_by = by
    instalment.paid_at = timezone.now()
    if invoice_reference is not None:
        instalment.invoice_reference = invoice_reference
        _check_invoice_reference(instalment)
    instalment.save(update_fields=["status", "paid_by", "paid_at", "invoice_reference"])
    after = _snapshot(instalment, INSTALMENT_FIELDS)
    if same_person:
        after["waiver"] = SAME_APPROVER_AND_PAYER_WAIVED
    _log(award=award, instalment=instalment, action="instalment paid", by=by, before=before, after=after)
    return instalment


@transaction.atomic
def instalment_cancel(*, instalment: Instalment, by) -> Instalment:
    """Cancel an instalment that is not paid; an approved one gives its amount back. Finance only."""
    if not is_finance(by):
        raise PermissionDenied
    award = Award.objects.select_for_update().get(pk=instalment.award_id)
    instalment = Instalment.objects.select_for_update().get(pk=instalment.pk)
    if instalment.status in (Instalment.Status.PAID, Instalment.Status.CANCELLED):
        raise ValidationError(f"A {instalment.get_status_display().lower()} instalment cannot be cancelled.")
    before = _snapshot(instalment, INSTALMENT_FIELDS)
    if instalment.status == Instalment.Status.APPROVED:
        award.committed -= instalment.amount
        award.save(update_fields=["committed"])
    instalment.status = Instalment.Status.CANCELLED
    instalment.save(update_fields=["status"])
    _log(
        award=award,
        instalment=instalment,
        action="instalment cancelled",
        by=by,
        before=before,
        after=_snapshot(instalment, INSTALMENT_FIELDS),
    )
    return instalment


# --- Holding an instalment for a report ---------------------------------------------------------
# Funding knows nothing of reports (outcomes imports funding, never the reverse): a hold is a label saying
# what the instalment waits for. Outcomes' report services set it when staff tie an instalment to a report
# and release it, in the same transaction, when staff accept that report.


def held_message(instalment: Instalment) -> str:
    return (
        f"This instalment waits for {instalment.held_for} to be accepted: "
        "it can be approved and paid once staff accept that report."
    )


@transaction.atomic
def instalment_hold(*, instalment: Instalment, reason: str, by) -> Instalment:
    """Make a scheduled instalment wait: it is not due, and cannot be approved or paid, until released.

    ``reason`` names what it waits for ("the progress report of Open Maps"). Staff, through outcomes'
    ``report_tie_instalment``. Locks the award and the instalment; written to the history.
    """
    Award.objects.select_for_update().get(pk=instalment.award_id)
    locked = Instalment.objects.select_for_update().get(pk=instalment.pk)
    if locked.status != Instalment.Status.SCHEDULED:
        raise ValidationError(
            f"Only a scheduled instalment can wait for a report; this one is {locked.get_status_display().lower()}."
        )
    if not reason.strip():
        raise ValidationError("Say what the instalment waits for.")
    before = {"held_for": locked.held_for}
    locked.held_for = reason.strip()[:200]
    locked.save(update_fields=["held_for"])
    _log(
        award=locked.award,
        instalment=locked,
        action="instalment held",
        by=by,
        before=before,
        after={"held_for": locked.held_for},
    )
    return locked


@transaction.atomic
def instalment_release(*, instalment: Instalment, by, on: date | None = None) -> Instalment:
    """Release a held instalment: it becomes due, on its due date or on ``on`` (the day of release) if later.

    Called by outcomes when staff accept the report it waits for (``on`` given), or untie it (``on`` None:
    the due date stays). Locks the award and the instalment; written to the history. Releasing an
    instalment that is not held changes nothing.
    """
    Award.objects.select_for_update().get(pk=instalment.award_id)
    locked = Instalment.objects.select_for_update().get(pk=instalment.pk)
    if not locked.is_held:
        return locked
    before = {"held_for": locked.held_for, "due_on": str(locked.due_on)}
    locked.held_for = ""
    if on is not None and locked.status == Instalment.Status.SCHEDULED and on > locked.due_on:
        locked.due_on = on
    locked.save(update_fields=["held_for", "due_on"])
    _log(
        award=locked.award,
        instalment=locked,
        action="instalment released",
        by=by,
        before=before,
        after={"held_for": "", "due_on": str(locked.due_on)},
    )
    return locked


# --- Time spent -----------------------------------------------------------------------------


@transaction.atomic
def time_log(*, membership: Membership, user, date, hours: Decimal, activity: str, event=None) -> TimeEntry:
    """A participant logs time for their organisation."""
    if not can_log_time(user, membership):
        raise PermissionDenied
    if event is not None and event.cohort_id != membership.cohort_id:
        raise ValidationError({"event": ["Choose an event of your cohort."]})
    # Today where the person is: time not yet spent, or spent before the cohort began, is not the funded work.
    today = in_zone(timezone.now(), getattr(user, "time_zone", "") or "UTC").date()
    if date > today:
        raise ValidationError({"date": [f"Log time already spent: choose today ({today:%d %b %Y}) or earlier."]})
    cohort = membership.cohort
    if date < cohort.starts_on:
        raise ValidationError(
            {"date": [f"{cohort.name} began on {cohort.starts_on:%d %b %Y}: log time spent from then on."]}
        )
    if event is not None:
        counted = TimeEntry.objects.filter(event=event, user=user, rsvp__isnull=False).first()
        if counted is not None:
            raise ValidationError(
                {
                    "event": [
                        f"Your attendance at {event.title} is already counted ({counted.hours} h, recorded when "
                        "staff marked it): log other work, such as preparation, without choosing the event."
                    ]
                }
            )
    entry = TimeEntry(membership=membership, user=user, date=date, hours=hours, activity=activity, event=event)
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def attendance_record(*, rsvps, attendance: str) -> int:
    """Staff mark attendance; attending records the event's duration as time, once, and un-marking removes it."""
    count = attendance_mark(rsvps=rsvps, attendance=attendance)
    for rsvp in RSVP.objects.filter(pk__in=[r.pk for r in rsvps]).select_related("event", "membership"):
        membership = rsvp.membership
        if membership is None:
            # An answer saved without its organisation: the person's membership in the event's cohort
            # (the first by organisation name, as elsewhere); staff taking part for none have no time to count.
            participant = (
                Participant.objects.filter(user_id=rsvp.user_id, membership__cohort_id=rsvp.event.cohort_id)
                .select_related("membership")
                .order_by("membership__organisation__name")
                .first()
            )
            membership = participant.membership if participant else None
        if rsvp.attendance == RSVP.Attendance.ATTENDED and membership is not None:
            hours = Decimal((rsvp.event.ends_at - rsvp.event.starts_at).total_seconds() / 3600).quantize(
                Decimal("0.01")
            )
            TimeEntry.objects.get_or_create(
                rsvp=rsvp,
                defaults={
                    "membership": membership,
                    "user_id": rsvp.user_id,
                    # The day the event took place where it took place, whichever admin page marked it.
                    "date": in_zone(rsvp.event.starts_at, rsvp.event.time_zone).date(),
                    "hours": min(hours, Decimal("24")),
                    "activity": f"Attended: {rsvp.event.title}",
                    "event": rsvp.event,
                },
            )
        else:
            TimeEntry.objects.filter(rsvp=rsvp).delete()
    return count
