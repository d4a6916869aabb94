"""The periodic sweep that beat runs every minute (see CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from notifications.services import emails_send_due


@shared_task(name="cohortnet.sweep")
def sweep() -> dict[str, int]:
    """Find work that is due and was not done on time, and do it.

    Today that is outbox emails whose on-commit task was lost, or that are due
    for a retry; reminders join it as they are built.
    """
    return {"emails_sent": emails_send_due()}
