"""The dependency rule, as a test: which package may import which.

Arrows point one way. The toolbox serves everyone and imports no app;
``cohorts`` is the base the domain apps build on; ``funding`` may also use
``events`` (attendance becomes time spent); ``cohortnet`` assembles it all
(settings, URLs, the project's own pages, the sweep, the demo data) and so
may import anything, and nothing imports it back. ``cohortnet.users`` (the
custom user model) counts as a package of its own that only uses the toolbox.

Imports are read with ``ast`` from every module, migrations and imports
inside functions included, so a lazy import cannot hide an arrow.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Which packages each package may import (besides itself, Django and libraries).
ALLOWED = {
    "toolbox": set(),
    "users": {"toolbox"},
    "notifications": {"toolbox"},
    "cohorts": {"notifications", "toolbox"},
    "applications": {"cohorts", "notifications", "toolbox"},
    "events": {"cohorts", "notifications", "toolbox"},
    "funding": {"cohorts", "events", "notifications", "toolbox"},
    "chat": {"cohorts", "notifications", "toolbox"},
    "integrations": {"cohorts", "events", "notifications", "toolbox"},
    # Feedback forms, reports and the publication: they read events (attendance, notes) and release
    # instalments held for a report through funding's services; nothing but cohortnet and privacy imports it.
    "outcomes": {"cohorts", "events", "funding", "notifications", "toolbox"},
    # Personal data across every app (export, erasure, retention, the access log): it reads and writes
    # every app's rows, so it sits beside the assembly; only cohortnet imports it.
    "privacy": {
        "toolbox",
        "users",
        "notifications",
        "cohorts",
        "applications",
        "events",
        "funding",
        "chat",
        "integrations",
        "outcomes",
    },
    "cohortnet": {
        "toolbox",
        "users",
        "notifications",
        "cohorts",
        "applications",
        "events",
        "funding",
        "chat",
        "integrations",
        "privacy",
        "outcomes",
    },
}


def package_of(module: str) -> str | None:
    """The package of a dotted module name, or None for Django, libraries and the standard library."""
    if module == "cohortnet.users" or module.startswith("cohortnet.users."):
        return "users"
    top = module.split(".")[0]
    return top if top in ALLOWED else None


def imported_modules(source: str, module: str) -> set[str]:
    """Every module ``source`` (the text of ``module``) imports, relative imports resolved."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: -node.level]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module
            found.add(name)
            # ``from cohorts import services`` imports cohorts.services.
            found.update(f"{name}.{alias.name}" for alias in node.names)
    return found


def forbidden_arrows(sources: dict[str, str]) -> list[str]:
    """For ``{dotted module name: source}``, each arrow that breaks the rule, as 'module -> package'."""
    broken = set()
    for module, source in sorted(sources.items()):
        own = package_of(module)
        if own is None:
            continue
        for target in sorted(imported_modules(source, module)):
            other = package_of(target)
            if other is None or other == own or other in ALLOWED[own]:
                continue
            # "users" sits inside the cohortnet package: importing the package itself is not an arrow to it.
            if own == "users" and target == "cohortnet":
                continue
            broken.add(f"{module} -> {other}")
    return sorted(broken)


def view_to_view_imports(sources: dict[str, str]) -> list[str]:
    """A views module that imports another views module: shared lookups belong in selectors or permissions."""
    broken = []
    for module, source in sorted(sources.items()):
        if module.split(".")[-1] != "views":
            continue
        for target in sorted(imported_modules(source, module)):
            if target != module and target.split(".")[-1] == "views" and package_of(target) is not None:
                broken.append(f"{module} -> {target}")
    return broken


def project_sources() -> dict[str, str]:
    sources = {}
    # Every package with a rule (users lives inside cohortnet/ and is read with it).
    for package in sorted(set(ALLOWED) - {"users"}):
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            sources[".".join(parts)] = path.read_text()
    return sources


def test_every_package_imports_only_what_the_design_allows():
    assert forbidden_arrows(project_sources()) == []


def test_no_view_module_imports_another():
    assert view_to_view_imports(project_sources()) == []


def test_every_package_on_disk_has_a_rule():
    packages = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert packages - {"cohortnet"} <= set(ALLOWED)


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        # The arrows the design forbids, as someone might add them.
        ("cohorts.services", "from events.models import Event\n", ["cohorts.services -> events"]),
        ("events.views", "def f():\n    from funding import services\n", ["events.views -> funding"]),
        ("toolbox.timezones", "import cohorts.models\n", ["toolbox.timezones -> cohorts"]),
        ("notifications.services", "from cohorts.models import Cohort\n", ["notifications.services -> cohorts"]),
        ("funding.views", "from cohortnet.views import home\n", ["funding.views -> cohortnet"]),
        (
            "cohortnet.users.models",
            "from cohorts.models import Organisation\n",
            ["cohortnet.users.models -> cohorts"],
        ),
        # The arrows it allows.
        ("funding.services", "from events.models import RSVP\nfrom cohorts import services\n", []),
        ("cohortnet.views", "from funding.models import Award\n", []),
        ("events.services", "from . import calendar\nfrom toolbox.timezones import in_zone\n", []),
    ],
)
def test_the_rule_catches_a_forbidden_import(module, source, expected):
    assert forbidden_arrows({module: source}) == expected


def test_the_rule_catches_a_view_importing_another_view():
    sources = {"cohortnet.views": "from cohorts.views import directory\n", "cohorts.views": ""}
    assert view_to_view_imports(sources) == ["cohortnet.views -> cohorts.views"]
