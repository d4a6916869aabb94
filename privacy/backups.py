"""Backups: the database (``pg_dump -Fc``, or a copy of the SQLite file) and the uploaded files, with checksums.

``make backup`` and ``make restore BACKUP=<folder>`` call the ``backup`` and ``restore`` management
commands, which call these. A backup is one folder, ``var/backups/<UTC time>/``, holding
``database.dump`` (PostgreSQL's custom format) or ``database.sqlite3``, ``media.tar.gz`` and
``SHA256SUMS``; restore checks every checksum before it changes anything.
"""

import hashlib
import os
import shutil
import sqlite3
import subprocess  # noqa: S404 -- runs pg_dump and pg_restore with an argument list, never a shell
import tarfile
from contextlib import closing
from pathlib import Path

from django.core.management.base import CommandError

CHECKSUMS = "SHA256SUMS"
MEDIA = "media.tar.gz"


def is_postgres(database: dict) -> bool:
    return database["ENGINE"] == "django.db.backends.postgresql"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg(database: dict) -> tuple[list[str], dict]:
    """Connection arguments for the PostgreSQL tools, and their environment (the password never on the command line)."""
    args = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(key):
            args += [flag, str(database[key])]
    env = {**os.environ}
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = database["PASSWORD"]
    return args, env


def _run(command: list[str], env: dict) -> None:
    try:
        subprocess.run(command, env=env, check=True, capture_output=True, text=True)  # noqa: S603 -- a fixed tool, arguments from settings
    except FileNotFoundError:
        raise CommandError(f"{command[0]} is not installed (Debian: apt-get install postgresql-client).") from None
    except subprocess.CalledProcessError as exc:
        raise CommandError(f"{command[0]} failed: {exc.stderr.strip()}") from None


def backup(*, database: dict, media_root: Path, folder: Path) -> Path:
    """Write a backup of ``database`` (a ``DATABASES`` entry) and ``media_root`` into ``folder`` (made here)."""
    folder.mkdir(parents=True, exist_ok=False)
    if is_postgres(database):
        target = folder / "database.dump"
        args, env = _pg(database)
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target), *args, database["NAME"]], env)
    else:
        target = folder / "database.sqlite3"
        # SQLite's online backup: a consistent copy even while the site writes.
        with closing(sqlite3.connect(database["NAME"])) as source, closing(sqlite3.connect(target)) as copy:
            source.backup(copy)
    with tarfile.open(folder / MEDIA, "w:gz") as archive:
        if media_root.exists():
            archive.add(media_root, arcname=".")
    sums = [f"{sha256(path)}  {path.name}" for path in (target, folder / MEDIA)]
    (folder / CHECKSUMS).write_text("\n".join(sums) + "\n")
    return folder


def verify(folder: Path) -> dict[str, str]:
    """``{file name: checksum}`` of a backup, after checking every file against ``SHA256SUMS``."""
    sums_file = folder / CHECKSUMS
    if not sums_file.exists():
        raise CommandError(f"{folder} is not a backup: it has no {CHECKSUMS}.")
    sums = {}
    for line in sums_file.read_text().splitlines():
        digest, name = line.split("  ", 1)
        path = folder / name
        if not path.exists() or sha256(path) != digest:
            raise CommandError(f"{name} does not match its checksum: this backup is damaged, nothing was restored.")
        sums[name] = digest
    return sums


def restore(*, folder: Path, database: dict, media_root: Path) -> None:
    """Put ``folder``'s backup back: the database (replacing what it holds) and the uploaded files."""
    sums = verify(folder)
    if is_postgres(database):
        if "database.dump" not in sums:
            raise CommandError("This backup holds a SQLite database; DATABASE_URL is PostgreSQL.")
        args, env = _pg(database)
        _run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--exit-on-error", "--single-transaction",
             "--dbname", database["NAME"], *args, str(folder / "database.dump")],
            env,
        )  # fmt: skip
    else:
        if "database.sqlite3" not in sums:
            raise CommandError("This backup holds a PostgreSQL dump; set DATABASE_URL to restore it.")
        shutil.copyfile(folder / "database.sqlite3", database["NAME"])
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / MEDIA, "r:gz") as archive:
        # The "data" filter refuses absolute paths, links out of the folder and device files.
        archive.extractall(media_root, filter="data")
