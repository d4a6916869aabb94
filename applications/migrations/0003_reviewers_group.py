"""The Reviewers group: staff assign applications to its members."""

from django.db import migrations


def add_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="Reviewers")


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0002_workflow_questions_reviews_invitations"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(add_group, migrations.RunPython.noop)]
