"""The Celery application.

Worker: ``celery -A cohortnet worker -l info``
Beat:   ``celery -A cohortnet beat -l info -s var/celerybeat-schedule``

Configuration comes from Django settings under the ``CELERY_`` prefix.
"""

import logging
import os
import threading

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cohortnet.settings")

app = Celery("cohortnet")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def sweep_after_a_restart(**_kwargs) -> None:
    """A worker that starts sweeps once more, one stale window later.

    A worker killed mid-batch stops renewing its claims, so one stale window
    after a restart they are stale at the latest: this sweep gives them back
    and sends them, instead of waiting for the next beat sweep after that
    moment (almost one more sweep interval, with the default of 60 s for both).
    A timer publishes it then rather than a countdown now: a worker holding a
    task with an ETA through a Redis restart stops taking other tasks until it runs.
    """
    from django.conf import settings

    timer = threading.Timer(settings.OUTBOX_STALE_CLAIM_SECONDS + 1, _publish_sweep)
    timer.daemon = True
    timer.start()


def _publish_sweep() -> None:
    from cohortnet.tasks import sweep

    try:
        sweep.delay()
    except Exception:  # noqa: BLE001 -- the broker is down: beat's own sweeps come once it is back
        logging.getLogger(__name__).warning("Could not publish the sweep after the worker started", exc_info=True)
