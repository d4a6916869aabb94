"""The default reminder before a feedback form closes; staff can change or switch it off in the admin."""

from datetime import timedelta

from django.db import migrations

DEFAULTS = [("feedback_closing", timedelta(days=2))]


def add_rules(apps, schema_editor):
    Rule = apps.get_model("notifications", "ReminderRule")
    for kind, offset in DEFAULTS:
        Rule.objects.get_or_create(kind=kind, offset=offset)


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_feedback"), ("notifications", "0003_default_reminder_rules")]

    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
