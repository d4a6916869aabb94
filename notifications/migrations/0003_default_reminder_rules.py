"""Sensible default reminders; staff can change or switch them off in the admin."""

from datetime import timedelta

from django.db import migrations

DEFAULTS = [
    ("call_draft", timedelta(days=7)),
    ("call_draft", timedelta(days=1)),
    ("call_draft", timedelta(hours=3)),
    ("event_going", timedelta(hours=24)),
    ("event_going", timedelta(hours=1)),
    ("event_unanswered", timedelta(days=2)),
    ("review_pending", timedelta(days=2)),
    ("instalment_due", timedelta(days=3)),
]


def add_rules(apps, schema_editor):
    Rule = apps.get_model("notifications", "ReminderRule")
    for kind, offset in DEFAULTS:
        Rule.objects.get_or_create(kind=kind, offset=offset)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_reminder_rules")]

    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
