import importlib

import pytest
from django.apps import apps


def _restore_migration_data():
    """Transactional tests empty every table afterwards, migration data included: put it back."""
    themes = importlib.import_module("cohorts.migrations.0002_default_themes")
    themes.add_themes(apps, None)
    groups = importlib.import_module("applications.migrations.0003_reviewers_group")
    groups.add_group(apps, None)
    importlib.import_module("funding.migrations.0003_finance_group").add_group(apps, None)
    importlib.import_module("notifications.migrations.0003_default_reminder_rules").add_rules(apps, None)


@pytest.fixture(autouse=True)
def _data_from_migrations(transactional_db):
    _restore_migration_data()
