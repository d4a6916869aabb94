import importlib

import pytest
from django.apps import apps


@pytest.fixture(autouse=True)
def _data_from_migrations(transactional_db):
    """Transactional tests empty every table afterwards, migration data included: put it back."""
    themes = importlib.import_module("cohorts.migrations.0002_default_themes")
    themes.add_themes(apps, None)
    groups = importlib.import_module("applications.migrations.0003_reviewers_group")
    groups.add_group(apps, None)
