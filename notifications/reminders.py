"""Reminders: rules as data, sources registered by each app, and the sweep that turns what is due into outbox rows.

Each app registers a ``Source`` for its kinds of reminder in its AppConfig
(notifications imports no domain app). A source yields the reminders that are
still true (the person is still going, the draft is still unsubmitted...) for
subjects whose moment lies in a window.

A rule's reminder is due from ``moment - offset`` until the moment itself. At
each sweep, for every subject still ahead, the *latest* due reminder of its
kind (the one with the smallest offset not shorter than the time left) is
written as one outbox row, keyed by (kind, object, recipient, offset, moment),
with its text computed now ("starts in 21 hours"). So a reminder whose time
passed while the worker was down still goes, late, as long as its subject is
ahead; when two of one kind are overdue (1 day and 3 hours, the sweep running
2 hours before) only the 3-hour one goes. The unique key makes a second sweep,
an overlapping sweep or a retried task write nothing new; a moved event has a
new moment and so new reminders.

A reminder is skipped, and logged, only when it is overtaken: its subject
passed before any sweep could send it (WARNING), or a later reminder of the
same kind became due with it (INFO). To log each of those once, the sweep
records on the rules when it last ran (``ReminderRule.swept_at``) and looks
back only to then.
"""

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timeuntil

from notifications.models import Email, ReminderOptOut, ReminderRule
from notifications.services import email_subject
from notifications.unsubscribe import unsubscribe_headers

logger = logging.getLogger(__name__)

OPT_OUT_SALT = "notifications.opt-out"


@dataclass
class Due:
    """One reminder that is still true: about ``obj``, for ``user``, before ``moment``.

    ``render(context)`` returns the text and HTML bodies; ``attachments()``
    builds the attachments. Both are called only for a row the sweep writes.
    """

    obj_key: str
    moment: datetime
    user: object
    subject: str
    render: Callable[[dict], tuple[str, str]]
    attachments: Callable[[], list[dict]] = list


@dataclass
class Source:
    kind: str
    label: str
    #: moments(start, end) -> the reminders still true whose moment lies in [start, end].
    moments: Callable[[datetime, datetime], Iterable[Due]]
    #: What it means for the moment to have passed, for the log: "the event started".
    passed: str = field(default="its moment passed")


REGISTRY: dict[str, Source] = {}


def register(source: Source) -> None:
    REGISTRY[source.kind] = source


def opt_out_link(user, kind: str) -> str:
    token = signing.dumps({"u": user.pk, "k": kind}, salt=OPT_OUT_SALT)
    return f"{settings.SITE_URL}{reverse('notifications:opt_out', kwargs={'token': token})}"


def time_left(moment: datetime, now: datetime) -> str:
    """How long until ``moment``, as the email says it: "21 hours", "1 day, 3 hours", "5 minutes".

    Rounded as people say it (the email prints the exact time beside it): to
    the hour from 3 hours on, to 5 minutes from 20 minutes on, else to the
    minute. Beat sweeps once a minute, so a reminder due 21 hours ahead goes
    out with up to a minute less left: it still says "21 hours", not "20 hours,
    59 minutes".
    """
    left = (moment - now).total_seconds() / 60
    step = 60 if left >= 180 else 5 if left >= 20 else 1
    minutes = max(1, round(left / step) * step)
    # Django keeps number and unit together with a no-break space; the text email wants a plain one.
    return timeuntil(now + timedelta(minutes=minutes), now).replace("\xa0", " ")


def _key(kind: str, due: Due, offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    return f"reminder:{kind}:{due.obj_key}:{due.user.pk}:{minutes}:{int(due.moment.timestamp())}"


def reminders_sweep(*, now: datetime | None = None) -> int:
    """Write the outbox rows for every reminder now due. Returns how many rows were new.

    Locks the rules (so overlapping sweeps take turns and log each skip
    once) and records on them that the sweep ran. Its number of queries does
    not depend on how many reminders are due.
    """
    now = now or timezone.now()
    opted_out = set(ReminderOptOut.objects.values_list("user_id", "kind"))
    created = 0
    with transaction.atomic():
        # Inactive rules too: their time stamp says the kind was looked at, so switching a rule
        # back on does not log every subject that passed while it was off.
        rules = list(ReminderRule.objects.select_for_update().filter(kind__in=list(REGISTRY)).order_by("pk"))
        for kind in sorted({rule.kind for rule in rules if rule.active}):
            offsets = sorted(rule.offset for rule in rules if rule.kind == kind and rule.active)
            swept = [rule.swept_at for rule in rules if rule.kind == kind and rule.swept_at is not None]
            created += _sweep_kind(REGISTRY[kind], offsets, max(swept, default=None), now, opted_out)
        # Never backwards: an overlapping sweep that started earlier may get the lock later.
        ReminderRule.objects.filter(
            Q(swept_at__isnull=True) | Q(swept_at__lt=now), pk__in=[r.pk for r in rules]
        ).update(swept_at=now)
    return created


def _sweep_kind(source: Source, offsets: list[timedelta], since: datetime | None, now: datetime, opted_out) -> int:
    """One kind: write the latest due reminder of each subject ahead; log what is overtaken since ``since``."""
    # Look back to the previous sweep only: subjects that passed before it were dealt with then.
    look_back = since is not None and since < now
    start = since if look_back else now
    ahead: list[tuple[str, Due, timedelta]] = []
    passed: list[tuple[str, Due]] = []
    for due in source.moments(start, now + offsets[-1]):
        if (due.user.pk, source.kind) in opted_out:
            continue
        if due.moment > now:
            left = due.moment - now
            offset = next(o for o in offsets if o >= left)
            ahead.append((_key(source.kind, due, offset), due, offset))
        elif look_back and due.moment > since:
            # Passed since the previous sweep: its last reminder should have been written by now.
            passed.append((_key(source.kind, due, offsets[0]), due))
    # One query for every key this sweep might write or expects to find.
    existing = set(
        Email.objects.filter(key__in=[k for k, *_ in ahead] + [k for k, _ in passed]).values_list("key", flat=True)
    )

    rows = []
    overtaken: dict[tuple, int] = defaultdict(int)
    for key, due, offset in ahead:
        if key in existing:
            continue
        for earlier in offsets:
            # An earlier reminder that became due since the previous sweep, together with this one.
            if earlier > offset and look_back and due.moment - earlier > since:
                overtaken[(due.obj_key, due.moment, earlier, offset)] += 1
        context = {
            "user": due.user,
            "opt_out_link": opt_out_link(due.user, source.kind),
            "time_left": time_left(due.moment, now),
        }
        text, html = due.render(context)
        rows.append(
            Email(
                key=key,
                kind=f"reminder_{source.kind}",
                to_email=due.user.email,
                subject=email_subject(due.subject),
                body_text=text,
                body_html=html,
                attachments=due.attachments(),
                headers=unsubscribe_headers(due.user, source.kind),
            )
        )
    for (obj_key, moment, earlier, offset), people in overtaken.items():
        logger.info(
            "Skipped the %s reminder %s before %s for %s (recipients: %d): "
            "the one %s before is due too and is sent instead",
            source.kind, earlier, moment.isoformat(), obj_key, people, offset,
        )  # fmt: skip

    missed: dict[tuple, int] = defaultdict(int)
    for key, due in passed:
        if key not in existing:
            missed[(due.obj_key, due.moment)] += 1
    for (obj_key, moment), people in missed.items():
        logger.warning(
            "Skipped the %s reminder for %s (recipients: %d): %s at %s, before a sweep could send it",
            source.kind, obj_key, people, source.passed, moment.isoformat(),
        )  # fmt: skip

    # One insert for the lot; a row another writer added meanwhile is skipped by its unique key.
    # The sweep's own send step (cohortnet.sweep) delivers them right after, over one connection.
    Email.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(rows)
