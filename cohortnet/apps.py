from django.apps import AppConfig


class CohortNetConfig(AppConfig):
    """The project's own pages (home, dashboard, health), the sweep and the demo data."""

    name = "cohortnet"
    verbose_name = "CohortNet"
