from pathlib import Path

from django.conf import settings
from django.core.cache import cache
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
        forget_cached_pages()
        self.stdout.write(f"Restored {folder} into {where} and {settings.MEDIA_ROOT}")


def forget_cached_pages() -> None:
    """Drop this release's cache keys after a restore.

    Cached fragments are keyed on versions read from the database; ``Cohort.content_version`` is a
    counter, and the restore puts it back, so the next write would reuse a number whose fragment, drawn
    after the backup, Redis still holds. On Redis only this release's keys go (those under its
    KEY_PREFIX): the broker's and the channel layer's keys in the same database stay.
    """
    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("*")
    else:
        cache.clear()
