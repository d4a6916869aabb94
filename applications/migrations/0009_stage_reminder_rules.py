"""Default reminders for selection in stages; staff can change or switch them off in the admin."""

from datetime import timedelta

from django.db import migrations

DEFAULTS = [
    ("call_full_not_started", timedelta(days=7)),
    ("call_full_not_started", timedelta(days=2)),
    ("interview_unbooked", timedelta(days=3)),
    ("interview_unbooked", timedelta(days=1)),
]


def add_rules(apps, schema_editor):
    Rule = apps.get_model("notifications", "ReminderRule")
    for kind, offset in DEFAULTS:
        Rule.objects.get_or_create(kind=kind, offset=offset)


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0008_selection_in_stages"),
        ("notifications", "0003_default_reminder_rules"),
    ]

    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
