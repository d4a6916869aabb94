"""Reminders: rules as data, sources registered by each app, and the sweep that turns what is due into outbox rows.

Each app registers a ``Source`` for its kinds of reminder in its AppConfig
(notifications imports no domain app). The sweep asks each source for the
moments falling in a window — ``due_at = moment - offset`` within the last
``GRACE``, and the moment itself still ahead — and writes one outbox row per
(kind, object, recipient, offset, moment). The unique key makes a second
sweep, an overlapping sweep or a retried task write nothing new; a moved
event has a new moment and so new reminders; a reminder whose moment passed
while the worker was down is skipped and logged, never sent late.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from notifications.models import Email, ReminderOptOut, ReminderRule
from notifications.services import email_subject

logger = logging.getLogger(__name__)

#: How late a reminder may still go out. Older ones are skipped, not sent late.
GRACE = timedelta(hours=2)
OPT_OUT_SALT = "notifications.opt-out"


@dataclass
class Due:
    """One reminder that a source says is due: about ``obj``, for ``user``, before ``moment``."""

    obj_key: str
    moment: datetime
    user: object
    subject: str
    render: Callable[[dict], tuple[str, str]]
    attachments: list[dict] = field(default_factory=list)


@dataclass
class Source:
    kind: str
    label: str
    #: moments(start, end) -> the reminders whose moment lies in [start, end].
    moments: Callable[[datetime, datetime], Iterable[Due]]


REGISTRY: dict[str, Source] = {}


def register(source: Source) -> None:
    REGISTRY[source.kind] = source


def opt_out_link(user, kind: str) -> str:
    token = signing.dumps({"u": user.pk, "k": kind}, salt=OPT_OUT_SALT)
    return f"{settings.SITE_URL}{reverse('notifications:opt_out', kwargs={'token': token})}"


def reminders_sweep(*, now: datetime | None = None) -> int:
    """Write the outbox rows for every reminder now due. Returns how many rows were new."""
    now = now or timezone.now()
    opted_out = set(ReminderOptOut.objects.values_list("user_id", "kind"))
    created = 0
    for rule in ReminderRule.objects.filter(active=True, kind__in=list(REGISTRY)):
        source = REGISTRY[rule.kind]
        window_start = now + rule.offset - GRACE
        window_end = now + rule.offset
        minutes = int(rule.offset.total_seconds() // 60)
        pending = []
        for due in source.moments(window_start, window_end):
            if due.moment <= now:
                logger.info("Skipped %s reminder for %s: its moment has passed", rule.kind, due.obj_key)
                continue
            if (due.user.pk, rule.kind) in opted_out:
                continue
            key = f"reminder:{rule.kind}:{due.obj_key}:{due.user.pk}:{minutes}:{int(due.moment.timestamp())}"
            pending.append((key, due))
        # One query to skip what earlier sweeps already wrote; the unique key settles any race.
        existing = set(Email.objects.filter(key__in=[k for k, _ in pending]).values_list("key", flat=True))
        rows = []
        for key, due in pending:
            if key in existing:
                continue
            text, html = due.render({"user": due.user, "opt_out_link": opt_out_link(due.user, rule.kind)})
            rows.append(
                Email(
                    key=key,
                    kind=f"reminder_{rule.kind}",
                    to_email=due.user.email,
                    subject=email_subject(due.subject),
                    body_text=text,
                    body_html=html,
                    attachments=due.attachments,
                )
            )
        # One insert for the lot; a row another sweep wrote meanwhile is skipped by its unique key.
        # The sweep's own send step (cohortnet.sweep) delivers them right after, over one connection.
        Email.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
        created += len(rows)
    return created
