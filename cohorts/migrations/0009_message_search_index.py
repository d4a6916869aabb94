"""A GIN index for the archive search on PostgreSQL (cohorts.selectors.archive_search).

Its expression is exactly what ``SearchVector("subject", "body", config="english")`` writes, so the
planner can use it. SQLite has no full-text search here (the search falls back to icontains): nothing to do.
"""

from django.db import migrations

INDEX = "cohorts_message_search"
EXPRESSION = (
    "to_tsvector('english'::regconfig, COALESCE(\"subject\", '') || ' ' || COALESCE(\"body\", ''))"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS {INDEX} ON "cohorts_message" USING gin ({EXPRESSION})')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("cohorts", "0008_mailing_list_delivery_theme_inbound")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
