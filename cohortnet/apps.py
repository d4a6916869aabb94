from pathlib import Path

from django.apps import AppConfig
from django.conf import settings

#: The filesystem broker's folders (kombu writes messages there; it does not make them).
BROKER_FOLDERS = ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")


def create_local_folders() -> None:
    """Make the folders the settings point at before anything uses them; importing the settings makes none.

    SQLite's file (it cannot create its folder), ``STATIC_ROOT`` (whitenoise warns at start-up when it is
    missing, as on a laptop that never ran collectstatic) and the filesystem broker's queues. Every process
    starts Django first (manage.py, wsgi, and Celery's worker and beat through its Django fix-up), so this runs
    before the first connection, the first request and the first message.
    """
    database = settings.DATABASES["default"]
    folders = [Path(settings.STATIC_ROOT)]
    if database["ENGINE"] == "django.db.backends.sqlite3" and str(database["NAME"]) != ":memory:":
        folders.append(Path(database["NAME"]).parent)
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        folders += [Path(options[key]) for key in BROKER_FOLDERS if key in options]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)


class CohortNetConfig(AppConfig):
    """The project's own pages (home, dashboard, health), the sweep and the demo data."""

    name = "cohortnet"
    verbose_name = "CohortNet"

    def ready(self) -> None:
        create_local_folders()
