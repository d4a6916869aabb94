"""The rows data migrations create, for code that empties tables and must put them back.

Used by transactional tests (which flush every table after each test) and by
the benchmark (which flushes its database between scales).
"""

import importlib

from django.apps import apps

DATA_MIGRATIONS = [
    ("cohorts.migrations.0002_default_themes", "add_themes"),
    ("applications.migrations.0003_reviewers_group", "add_group"),
    ("funding.migrations.0003_finance_group", "add_group"),
    ("funding.migrations.0007_finance_group_views_funding", "grant"),
    ("notifications.migrations.0003_default_reminder_rules", "add_rules"),
    ("outcomes.migrations.0002_feedback_reminder_rule", "add_rules"),
    ("applications.migrations.0009_stage_reminder_rules", "add_rules"),
    ("outcomes.migrations.0001_reports", "add_reminder_rules"),
]


def restore_migration_data() -> None:
    for module, function in DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)
