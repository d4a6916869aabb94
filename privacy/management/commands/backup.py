from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from privacy.backups import backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump, or the SQLite file) and the uploaded files into var/backups/<UTC time>/."

    def add_arguments(self, parser):
        parser.add_argument("--to", default=str(settings.BASE_DIR / "var" / "backups"), help="The backups folder.")

    def handle(self, *args, to, **options):
        folder = Path(to) / timezone.now().strftime("%Y%m%dT%H%M%SZ")
        backup(database=connection.settings_dict, media_root=Path(settings.MEDIA_ROOT), folder=folder)
        self.stdout.write(f"Backed up to {folder}")
