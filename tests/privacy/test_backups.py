"""Backups: the restore drill on PostgreSQL (dump, a fresh database, restore, same rows and files), and refusals."""

import hashlib
from pathlib import Path

import psycopg2
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from cohorts.services import resource_add
from privacy.backups import CHECKSUMS, MEDIA, backup, restore
from tests.factories import ApplicationFactory, ParticipantFactory


def _connect(database: dict, name: str):
    return psycopg2.connect(
        dbname=name,
        host=database.get("HOST") or None,
        port=database.get("PORT") or None,
        user=database.get("USER") or None,
        password=database.get("PASSWORD") or None,
    )


def row_counts(database: dict, name: str) -> dict[str, int]:
    """``{table: rows}`` for every table in the public schema of database ``name``."""
    with _connect(database, name) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 -- names read from pg_tables
            counts[table] = cursor.fetchone()[0]
    conn.close()
    return counts


def file_checksums(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _recreate(database: dict, name: str) -> None:
    conn = _connect(database, "postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def _drop(database: dict, name: str) -> None:
    conn = _connect(database, "postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
    conn.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_restore_drill_brings_back_every_row_and_every_file(settings, tmp_path):
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    participant = ParticipantFactory()
    ApplicationFactory.create_batch(3)
    resource_add(
        cohort=participant.membership.cohort,
        user=participant.user,
        title="Guide",
        upload=SimpleUploadedFile("guide.pdf", b"%PDF-1.4 the guide"),
    )
    database = dict(connection.settings_dict)
    source = database["NAME"]
    # A scratch database beside the test database, never the one in use.
    drill = f"{source}_drill"
    expected_rows = row_counts(database, source)
    expected_files = file_checksums(media)
    assert expected_rows["users_user"] == 4
    assert expected_rows["applications_application"] == 3
    assert len(expected_files) == 1

    folder = backup(database=database, media_root=media, folder=tmp_path / "backups" / "drill")
    assert sorted(p.name for p in folder.iterdir()) == [CHECKSUMS, "database.dump", MEDIA]
    try:
        _recreate(database, drill)  # dropped and made again, empty
        restored_media = tmp_path / "restored-media"
        restore(folder=folder, database={**database, "NAME": drill}, media_root=restored_media)

        assert row_counts(database, drill) == expected_rows
        assert file_checksums(restored_media) == expected_files
    finally:
        _drop(database, drill)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_restoring_over_a_database_that_changed_since_puts_it_back(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    ParticipantFactory()
    database = dict(connection.settings_dict)
    drill = f"{database['NAME']}_drill"
    folder = backup(database=database, media_root=tmp_path / "media", folder=tmp_path / "b")
    try:
        _recreate(database, drill)
        restore(folder=folder, database={**database, "NAME": drill}, media_root=tmp_path / "m")
        with _connect(database, drill) as conn, conn.cursor() as cursor:
            cursor.execute("DELETE FROM cohorts_participant")
        conn.close()
        # --clean --if-exists: the second restore replaces what is there.
        restore(folder=folder, database={**database, "NAME": drill}, media_root=tmp_path / "m")
        assert row_counts(database, drill)["cohorts_participant"] == 1
    finally:
        _drop(database, drill)


def test_a_damaged_backup_is_refused_before_anything_changes(tmp_path):
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "database.dump").write_bytes(b"dump")
    (folder / MEDIA).write_bytes(b"files")
    good = hashlib.sha256(b"dump").hexdigest()
    (folder / CHECKSUMS).write_text(f"{good}  database.dump\n{'0' * 64}  {MEDIA}\n")
    media = tmp_path / "media"
    with pytest.raises(CommandError, match=f"{MEDIA} does not match its checksum"):
        restore(folder=folder, database={"ENGINE": "django.db.backends.postgresql", "NAME": "x"}, media_root=media)
    assert not media.exists()


def test_a_folder_that_is_no_backup_is_refused(tmp_path):
    with pytest.raises(CommandError, match="is not a backup"):
        call_command("restore", str(tmp_path), "--yes")


@pytest.mark.django_db
def test_the_restore_command_asks_first(tmp_path, monkeypatch):
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / CHECKSUMS).write_text("")
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="Nothing restored"):
        call_command("restore", str(folder))


def test_without_database_url_the_sqlite_file_and_the_files_are_backed_up_and_restored(tmp_path):
    import sqlite3
    from contextlib import closing

    source = tmp_path / "db.sqlite3"
    with closing(sqlite3.connect(source)) as db:
        db.execute("CREATE TABLE t (x TEXT)")
        db.executemany("INSERT INTO t VALUES (?)", [("a",), ("b",)])
        db.commit()
    media = tmp_path / "media"
    (media / "private").mkdir(parents=True)
    (media / "private" / "f.pdf").write_bytes(b"%PDF file")
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(source)}
    folder = backup(database=sqlite, media_root=media, folder=tmp_path / "b")
    assert sorted(p.name for p in folder.iterdir()) == [CHECKSUMS, "database.sqlite3", MEDIA]

    target = tmp_path / "restored.sqlite3"
    restore(folder=folder, database={**sqlite, "NAME": str(target)}, media_root=tmp_path / "m")
    with closing(sqlite3.connect(target)) as db:
        assert db.execute("SELECT x FROM t ORDER BY x").fetchall() == [("a",), ("b",)]
    assert file_checksums(tmp_path / "m") == file_checksums(media)
    # A PostgreSQL database is not restored from a SQLite backup.
    with pytest.raises(CommandError, match="holds a SQLite database"):
        restore(folder=folder, database={"ENGINE": "django.db.backends.postgresql", "NAME": "x"}, media_root=media)
