"""The periodic sweep that beat runs every minute (see CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from notifications.reminders import reminders_sweep
from notifications.services import emails_send_due


@shared_task(name="cohortnet.sweep")
def sweep() -> dict[str, int]:
    """Find work that is due and was not done on time, and do it.

    It writes the reminders now due into the outbox, then sends every queued
    email that is due: new reminders, emails whose on-commit task was lost
    (Redis down) and retries after a failure.
    """
    return {"reminders_queued": reminders_sweep(), "emails_sent": emails_send_due()}
