"""The Finance group sees awards, instalments and their history in the admin.

Its members approve and pay from the instalments list (the actions ask ``funding.permissions.is_finance``), but
the group had no permission at all, so a Finance person who is not a superuser found an empty admin: no list to
approve from, and no funding figures on the staff home. Viewing only; every change still goes through the services.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEWS = ["view_award", "view_instalment", "view_fundingchange"]


def grant(apps, schema_editor):
    # Permissions are otherwise made after every migration has run: make funding's now. The historical app has
    # no models module, which create_permissions takes for "nothing to do"; the real one (tests put this group's
    # rows back after a flush, toolbox/migration_data.py) has its permissions already.
    config = apps.get_app_config("funding")
    historical = getattr(config, "models_module", None) is None
    if historical:
        config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    if historical:
        config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    finance, _ = Group.objects.get_or_create(name="Finance")
    finance.permissions.add(*Permission.objects.filter(content_type__app_label="funding", codename__in=VIEWS))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for finance in Group.objects.filter(name="Finance"):
        finance.permissions.remove(*Permission.objects.filter(content_type__app_label="funding", codename__in=VIEWS))


class Migration(migrations.Migration):
    dependencies = [
        ("funding", "0006_instalment_money_controls_and_file_types"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
