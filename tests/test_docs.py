"""The docs say what the code does: the README and .env.example name every variable settings read, and
docs/ARCHITECTURE.md names rules, packages and arrows that exist."""

import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _variables_read_by_settings() -> set[str]:
    source = (ROOT / "cohortnet" / "settings.py").read_text()
    return set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', source))


def test_settings_read_the_variables_we_expect():
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"} <= _variables_read_by_settings()


def test_readme_configuration_table_lists_every_variable():
    readme = (ROOT / "README.md").read_text()
    missing = sorted(name for name in _variables_read_by_settings() if f"| `{name}` |" not in readme)
    assert missing == []


def test_env_example_lists_every_variable():
    example = (ROOT / ".env.example").read_text()
    missing = sorted(name for name in _variables_read_by_settings() if not re.search(rf"^#? ?{name}=", example, re.M))
    assert missing == []


# --- docs/ARCHITECTURE.md: the rule map and the package picture name what the code has ---------------------

ARCHITECTURE = ROOT / "docs" / "ARCHITECTURE.md"


def _section(text: str, heading: str) -> str:
    """The body of the ``## heading`` section of a Markdown document."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"docs/ARCHITECTURE.md has no section '## {heading}'"
    return match.group(1)


def rule_homes(text: str) -> dict[str, list[str]]:
    """``{rule: [code spans in its "where" cell]}`` for each row of the "Where each rule lives" table."""
    rows = {}
    for line in _section(text, "Where each rule lives").splitlines():
        if not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[0] == "rule" or set(cells[0]) <= {"-", " "}:
            continue
        rows[cells[0]] = re.findall(r"`([^`]+)`", cells[1])
    return rows


def constraint_names() -> set[str]:
    from django.apps import apps

    return {constraint.name for model in apps.get_models() for constraint in model._meta.constraints}


def resolves(dotted: str) -> bool:
    """Whether ``dotted`` names something real: the longest importable module prefix, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            if not hasattr(target, name):
                return False
            target = getattr(target, name)
        return True
    return False


def unknown_homes(rows: dict[str, list[str]], constraints: set[str]) -> list[str]:
    """Each row whose "where" is not exactly one name that exists, as 'rule: why'."""
    problems = []
    for rule, names in rows.items():
        if len(names) != 1:
            problems.append(f"{rule}: names {len(names)} homes, not one")
            continue
        name = names[0]
        if name.startswith("constraint:"):
            if name.removeprefix("constraint:") not in constraints:
                problems.append(f"{rule}: no model has the constraint {name.removeprefix('constraint:')}")
        elif not re.fullmatch(r"\w+(\.\w+)+", name) or not resolves(name):
            problems.append(f"{rule}: {name} does not resolve")
    return problems


def test_every_rule_names_one_home_that_exists():
    rows = rule_homes(ARCHITECTURE.read_text())
    assert len(rows) >= 30
    assert unknown_homes(rows, constraint_names()) == []


def test_the_rule_map_check_catches_a_wrong_name():
    rows = {
        "renamed function": ["funding.services.instalment_plan"],
        "renamed module": ["funding.service.instalment_schedule"],
        "dropped constraint": ["constraint:funding_instalment_within_award"],
        "two homes": ["events.services.rsvp_set", "constraint:events_rsvp_one_per_person"],
        "no home": [],
        "fine": ["funding.services.instalment_schedule"],
        "fine too": ["constraint:funding_award_committed_within_amount"],
    }
    assert unknown_homes(rows, constraint_names()) == [
        "renamed function: funding.services.instalment_plan does not resolve",
        "renamed module: funding.service.instalment_schedule does not resolve",
        "dropped constraint: no model has the constraint funding_instalment_within_award",
        "two homes: names 2 homes, not one",
        "no home: names 0 homes, not one",
    ]


def package_arrows(text: str) -> set[tuple[str, str]]:
    """The ``a --> b`` arrows of the Mermaid picture in "Packages and the arrows between them"."""
    block = re.search(r"```mermaid\n(.*?)```", _section(text, "Packages and the arrows between them"), re.S)
    assert block, "the package section has no Mermaid picture"
    return set(re.findall(r"^\s*(\w+) --> (\w+)\s*$", block.group(1), re.M))


def test_the_package_picture_is_the_dependency_rule():
    from tests.test_architecture import ALLOWED

    allowed = {(package, other) for package, others in ALLOWED.items() for other in others}
    assert package_arrows(ARCHITECTURE.read_text()) == allowed


def test_the_flow_picture_is_kept_as_mermaid_text():
    flow = _section(ARCHITECTURE.read_text(), "The flow in one picture")
    assert "```mermaid\nflowchart" in flow
    for step in ("views", "services", "outbox", "worker", "smtp", "beat", "sweep", "sources"):
        assert re.search(rf"^\s*{step}[\[(]", flow, re.M), step
