"""Benchmark: 10,000 due reminders turned into sent emails, next to Django's send_mass_mail.

Run with ``make bench``. Both paths deliver to the same SMTP sink on
127.0.0.1 (aiosmtpd) in one run on one machine; the figure that matters is
the ratio between them, since these machines are noisy.
"""

import json
import os
import socket
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cohortnet.settings")
# No worker here: tasks queued after commit go to an in-memory broker and are
# never run, so sending happens only in the measured loop below.
os.environ["CELERY_BROKER_URL"] = "memory://"

import logging  # noqa: E402

import django  # noqa: E402 -- settings must be configured first

django.setup()

from aiosmtpd.controller import Controller  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.mail import EmailMultiAlternatives, get_connection, send_mass_mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from cohorts.models import Cohort, Membership, Organisation, Participant  # noqa: E402
from events.models import RSVP, Event  # noqa: E402
from notifications.models import Email, ReminderRule  # noqa: E402
from notifications.reminders import reminders_sweep  # noqa: E402
from notifications.services import _message, emails_send_due  # noqa: E402

EVENTS = int(os.environ.get("BENCH_EVENTS", "100"))
PEOPLE_PER_EVENT = 100
# The three paths take turns, a fifth of the emails each round, so that the machine's drifting speed
# (a shared VM) weighs on all of them alike; each ratio is the median of the rounds' ratios.
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
# Each round's events start this far apart: more than the sweep's window, so a sweep finds one round.
ROUND_SPACING = timedelta(hours=6)


class Sink:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 -- aiosmtpd's hook name
        self.count += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def round_start(now, index: int):
    return now + timedelta(hours=24) - timedelta(minutes=1) + index * ROUND_SPACING


def generate(now):
    User = get_user_model()
    cohort = Cohort.objects.create(
        name="Bench", slug="bench", starts_on=now.date(), ends_on=now.date() + timedelta(days=180)
    )
    organisation = Organisation.objects.create(name="Bench organisation")
    membership = Membership.objects.create(cohort=cohort, organisation=organisation)
    users = User.objects.bulk_create(
        [User(email=f"person{n}@bench.example", password=make_password(None)) for n in range(EVENTS * PEOPLE_PER_EVENT)]
    )
    Participant.objects.bulk_create([Participant(membership=membership, user=u) for u in users])
    events = Event.objects.bulk_create(
        [
            Event(
                cohort=cohort,
                title=f"Roundtable {n}",
                starts_at=round_start(now, n % ROUNDS),
                ends_at=round_start(now, n % ROUNDS) + timedelta(hours=1),
            )
            for n in range(EVENTS)
        ]
    )
    RSVP.objects.bulk_create(
        [
            RSVP(event=event, user=users[e * PEOPLE_PER_EVENT + p], membership=membership, status=RSVP.Status.GOING)
            for e, event in enumerate(events)
            for p in range(PEOPLE_PER_EVENT)
        ]
    )
    # flush removed the default rules: this is the only one, so the sweep writes only these reminders.
    ReminderRule.objects.create(kind="event_going", offset=timedelta(hours=24))


def main() -> None:
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command at INFO
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    now = timezone.now()
    generate(now)

    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    rounds = []
    try:
        for index in range(ROUNDS):
            # As the sweep runs 24 hours before this round's events.
            sweep_at = round_start(now, index) - timedelta(hours=24) + timedelta(minutes=1)
            started = time.perf_counter()
            queued = reminders_sweep(now=sweep_at)
            sent = 0
            while batch := emails_send_due(limit=1000):
                sent += batch
            ours = time.perf_counter() - started
            if not queued == sent == EVENTS * PEOPLE_PER_EVENT // ROUNDS:
                raise SystemExit(f"round {index}: queued {queued}, sent {sent}")

            rows = list(Email.objects.filter(kind="reminder_event_going", sent_at__isnull=False, status="sent")
                        .exclude(pk__in=[pk for r in rounds for pk in r["ids"]]))  # fmt: skip
            messages = [(e.subject, e.body_text, settings.DEFAULT_FROM_EMAIL, [e.to_email]) for e in rows]
            started = time.perf_counter()
            send_mass_mail(messages)
            mass = time.perf_counter() - started

            # The same emails as ours (text, HTML part, .ics), built by Django's own class over one connection.
            started = time.perf_counter()
            with get_connection() as connection:
                connection.send_messages([_message(row, connection, cls=EmailMultiAlternatives) for row in rows])
            identical = time.perf_counter() - started
            rounds.append({"ids": [r.pk for r in rows], "ours": ours, "mass": mass, "identical": identical})
            print(f"  round {index + 1}/{ROUNDS}: {len(rows)} emails, ours {ours:.2f} s, send_mass_mail {mass:.2f} s, "
                  f"identical multipart {identical:.2f} s")  # fmt: skip
    finally:
        controller.stop()

    emails = sum(len(r["ids"]) for r in rounds)
    ours, mass, identical = (sum(r[k] for r in rounds) for k in ("ours", "mass", "identical"))
    result = {
        "emails": emails,
        "rounds": ROUNDS,
        "reminders_seconds": round(ours, 2),
        "reminders_per_second": round(emails / ours),
        "send_mass_mail_seconds": round(mass, 2),
        "send_mass_mail_per_second": round(emails / mass),
        "ratio_to_send_mass_mail": round(statistics.median(r["mass"] / r["ours"] for r in rounds), 2),
        "django_identical_multipart_seconds": round(identical, 2),
        "ratio_to_identical_multipart": round(statistics.median(r["identical"] / r["ours"] for r in rounds), 2),
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "delivered_to_sink": sink.count,
    }
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "reminders.json").write_text(json.dumps(result, indent=2))
    print(f"Reminder fan-out: {emails:,} due reminders -> outbox -> SMTP sink on 127.0.0.1")
    for key, value in result.items():
        print(f"  {key:28} {value}")


if __name__ == "__main__":
    main()
