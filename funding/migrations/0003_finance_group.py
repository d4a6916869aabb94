"""The Finance group: its members approve instalments and mark them paid."""

from django.db import migrations


def add_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="Finance")


class Migration(migrations.Migration):
    dependencies = [
        ("funding", "0002_awards_instalments_history_time"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(add_group, migrations.RunPython.noop)]
