"""The README's configuration table and .env.example name every variable settings read."""

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
