from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from privacy.backups import restore, verify


class Command(BaseCommand):
    help = "Restore a backup made by `make backup` into DATABASE_URL and MEDIA_ROOT, replacing what they hold."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="The backup's folder, e.g. var/backups/20261126T210000Z.")
        parser.add_argument("--yes", action="store_true", help="Do not ask before replacing the data.")

    def handle(self, *args, folder, yes, **options):
        folder = Path(folder)
        verify(folder)
        where = connection.settings_dict["NAME"]
        if not yes:
            answer = input(f"Replace everything in {where} and {settings.MEDIA_ROOT} with {folder}? Type yes: ")
            if answer.strip() != "yes":
                raise CommandError("Nothing restored.")
        connection.close()  # pg_restore needs the tables free of this process's session
        restore(folder=folder, database=connection.settings_dict, media_root=Path(settings.MEDIA_ROOT))
        self.stdout.write(f"Restored {folder} into {where} and {settings.MEDIA_ROOT}")
