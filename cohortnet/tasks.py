"""The periodic sweep that beat runs every minute (see CELERY_BEAT_SCHEDULE)."""

import logging

from celery import shared_task

from cohorts.mailing_list import digests_queue
from integrations.tasks import webhooks_deliver_due_task
from notifications.reminders import reminders_sweep
from notifications.services import emails_send_due
from outcomes.services_feedback import feedback_invitations_queue
from privacy.tasks import data_exports_build_due_task

logger = logging.getLogger(__name__)


@shared_task(name="cohortnet.sweep")
def sweep() -> dict[str, int]:
    """Find work that is due and was not done on time, and do it.

    It writes the reminders now due and yesterday's mailing-list digests (once per
    person per day: the outbox key) into the outbox, then sends every queued
    email that is due: new reminders, emails whose on-commit task was lost
    (Redis down) and retries after a failure. Webhooks that are due, and data
    downloads whose task was lost, go in tasks of their own, so a slow receiver
    or a large ZIP never holds up the emails.
    """
    reminders = reminders_sweep()
    # Feedback forms that have opened (an event ended, a cohort form's moment came): one invitation each, keyed.
    reminders += feedback_invitations_queue()
    digests = digests_queue()
    if digests:
        logger.info("Queued %s mailing-list digest(s)", digests)
    done = {"reminders_queued": reminders, "emails_sent": emails_send_due()}
    for task in (webhooks_deliver_due_task, data_exports_build_due_task):
        try:
            task.delay()
        except Exception:  # noqa: BLE001 -- the broker is down: the next sweep publishes it again
            logger.warning("Could not publish %s", task.name, exc_info=True)
    return done
