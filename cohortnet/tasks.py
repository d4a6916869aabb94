"""The periodic sweep that beat runs every minute (see CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from applications.services import application_confirmations_sweep


@shared_task(name="cohortnet.sweep")
def sweep() -> dict[str, int]:
    """Find work that is due and was not done on time, and do it.

    Today that is submission confirmations whose on-commit task was lost;
    reminders join it as they are built.
    """
    return {"confirmations_sent": application_confirmations_sweep()}
