from django.apps import AppConfig


class ToolboxConfig(AppConfig):
    """The shared toolbox: time zones, CSV, admin mixins, the cache, template filters.

    Every app may import it; it imports no app (tests/test_architecture.py keeps it so).
    It is an installed app only so that Django finds its template tag libraries.
    """

    name = "toolbox"
    verbose_name = "Toolbox"
