"""The Celery application.

Worker: ``celery -A cohortnet worker -l info``
Beat:   ``celery -A cohortnet beat -l info -s var/celerybeat-schedule``

Configuration comes from Django settings under the ``CELERY_`` prefix.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cohortnet.settings")

app = Celery("cohortnet")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
