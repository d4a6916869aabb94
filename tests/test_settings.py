"""Settings read from the environment: embedded defaults, real services, production mode."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import django, json; from django.conf import settings; django.setup(); "
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'], "
    "'name': str(settings.DATABASES['default']['NAME']), 'broker': settings.CELERY_BROKER_URL, "
    "'email': settings.EMAIL_BACKEND, 'debug': settings.DEBUG}))"
)
STRONG_KEY = "k" * 20 + "-production-secret-key-for-the-settings-tests-0123456789"


# Variables the test process may carry that would change what is probed.
_CLEARED = {
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "DEBUG",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "SECRET_KEY",
    "SITE_URL",
    "PORT",
}


def _run(env_overrides, code=PROBE, args=None):
    env = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    env.update({"DJANGO_SETTINGS_MODULE": "cohortnet.settings", **env_overrides})
    command = args or [sys.executable, "-c", code]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_nothing_set_means_sqlite_filesystem_broker_console_email_and_debug():
    result = _run({})
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout.strip().splitlines()[-1])
    assert config == {
        "engine": "django.db.backends.sqlite3",
        "name": str(ROOT / "var" / "db.sqlite3"),
        "broker": "filesystem://",
        "email": "django.core.mail.backends.console.EmailBackend",
        "debug": True,
    }


def test_database_and_redis_urls_switch_to_postgresql_and_redis():
    result = _run(
        {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/cohortnet", "REDIS_URL": "redis://127.0.0.1:6379/3"}
    )
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout.strip().splitlines()[-1])
    assert config["engine"] == "django.db.backends.postgresql"
    assert config["name"] == "cohortnet"
    assert config["broker"] == "redis://127.0.0.1:6379/3"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "false", "ALLOWED_HOSTS": "cohortnet.example"}, "SECRET_KEY must be set"),
        ({"DEBUG": "false", "ALLOWED_HOSTS": "cohortnet.example", "SECRET_KEY": "short"}, "SECRET_KEY must be set"),
        ({"DEBUG": "false", "SECRET_KEY": STRONG_KEY}, "ALLOWED_HOSTS must name the host"),
    ],
)
def test_production_mode_refuses_to_start_without_a_secret_key_and_hosts(env, message):
    result = _run(env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_mode_passes_the_deploy_check():
    result = _run(
        {"DEBUG": "false", "SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "cohortnet.example"},
        args=[sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


SITE_URL_PROBE = "import django; from django.conf import settings; django.setup(); print(settings.SITE_URL)"


@pytest.mark.parametrize(
    ("env", "site_url"),
    [
        ({}, "http://127.0.0.1:8000"),
        # `PORT=8101 make run`: the Makefile exports PORT and the links follow it.
        ({"PORT": "8101"}, "http://127.0.0.1:8101"),
        ({"PORT": "8101", "SITE_URL": "https://cohortnet.example/"}, "https://cohortnet.example"),
        ({"PORT": "8101", "DEBUG": "false", "SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "cohortnet.example"},
         "https://cohortnet.example"),
    ],
)  # fmt: skip
def test_site_url_follows_port_on_a_laptop_unless_set(env, site_url):
    result = _run(env, code=SITE_URL_PROBE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == site_url


def test_make_run_exports_port_to_the_processes_it_starts():
    makefile = (ROOT / "Makefile").read_text()
    assert "PORT ?= 8000\nexport PORT\n" in makefile
    assert "--host 127.0.0.1 --port ${PORT:-8000}" in (ROOT / "Procfile.dev").read_text()


def test_every_process_make_run_starts_links_to_the_web_port(tmp_path):
    """honcho hands each process its own PORT (worker 8201, beat 8301): emails the worker writes link to the web's."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    env = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    dry_run = subprocess.run(
        ["make", "-s", "-n", "run", "PORT=8101"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    (start,) = [line for line in dry_run.stdout.splitlines() if "honcho" in line]
    probe = f'{sys.executable} -c "{SITE_URL_PROBE}" && sleep 5'
    procfile = tmp_path / "Procfile"
    procfile.write_text("".join(f"{name}: {probe}\n" for name in ("web", "worker", "beat")))

    result = subprocess.run(
        ["sh", "-c", start.replace("Procfile.dev", str(procfile))],
        cwd=ROOT,
        # As make would: it exports PORT to the recipe.
        env={**env, "PORT": "8101", "DJANGO_SETTINGS_MODULE": "cohortnet.settings", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    printed = dict(
        (line.split()[1], line.split("| ", 1)[1].strip()) for line in result.stdout.splitlines() if "| http" in line
    )
    assert printed == dict.fromkeys(["web.1", "worker.1", "beat.1"], "http://127.0.0.1:8101"), result.stdout


BROKER_PROBE = """
import django, json
from django.conf import settings
django.setup()
from kombu import Connection, Exchange, Queue
options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
with Connection(settings.CELERY_BROKER_URL, transport_options=options) as connection:
    # Binding a queue is what makes kombu's filesystem transport create its control folder.
    exchange = Exchange("settings-probe", type="direct")
    Queue("settings-probe", exchange, "probe")(connection.default_channel).declare()
print(json.dumps(options["control_folder"]))
"""


def test_the_filesystem_broker_keeps_its_control_folder_under_var(tmp_path):
    # Run from an empty folder: kombu's default would create ./control there.
    result = subprocess.run(
        [sys.executable, "-c", BROKER_PROBE],
        cwd=tmp_path,
        env={
            **{k: v for k, v in os.environ.items() if k not in _CLEARED},
            "DJANGO_SETTINGS_MODULE": "cohortnet.settings",
            "PYTHONPATH": str(ROOT),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    control = Path(json.loads(result.stdout.strip().splitlines()[-1]))
    exchange_file = control / "settings-probe.exchange"
    try:
        assert control == ROOT / "var" / "celery" / "control"
        assert exchange_file.is_file()
        assert list(tmp_path.iterdir()) == []
    finally:
        exchange_file.unlink(missing_ok=True)


def _copy_of_the_code(tmp_path) -> Path:
    """The project's Python packages and manage.py in a fresh folder: a checkout with no var/ yet."""
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    shutil.copy(ROOT / "manage.py", checkout)
    for package in ROOT.iterdir():
        if (package / "__init__.py").is_file() and package.name != "tests":
            shutil.copytree(package, checkout / package.name, ignore=shutil.ignore_patterns("__pycache__"))
    return checkout


def _files_under(folder: Path) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*")}


def test_importing_the_settings_creates_nothing_and_starting_django_makes_the_folders_it_needs(tmp_path):
    checkout = _copy_of_the_code(tmp_path)
    before = _files_under(checkout)
    env = {
        **{k: v for k, v in os.environ.items() if k not in _CLEARED | {"STATIC_ROOT", "MEDIA_ROOT"}},
        "DJANGO_SETTINGS_MODULE": "cohortnet.settings",
        "PYTHONDONTWRITEBYTECODE": "1",
    }

    def run(code):
        return subprocess.run(
            [sys.executable, "-c", code],
            cwd=checkout,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    imported = run("import cohortnet.settings as s; print(s.VAR_DIR, s.CELERY_BROKER_URL)")
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.split() == [str(checkout / "var"), "filesystem://"]
    assert _files_under(checkout) == before

    started = run("import django; django.setup(); from django.db import connection; connection.ensure_connection()")
    assert started.returncode == 0, started.stderr
    assert (
        "No directory at" not in started.stderr
    )  # whitenoise's warning is not reached, but neither is the folder missing
    assert _files_under(checkout) - before >= {
        "var",
        "var/db.sqlite3",
        "var/staticfiles",
        "var/celery",
        "var/celery/queue",
        "var/celery/processed",
        "var/celery/control",
    }


def test_make_run_reloads_on_a_change_in_any_app_of_ours():
    import re
    from pathlib import Path

    from django.apps import apps
    from django.conf import settings

    from tests.helpers import project_app_labels

    procfile = (Path(settings.BASE_DIR) / "Procfile.dev").read_text()
    watched = set(re.findall(r"--reload-dir (\S+)", procfile))
    ours = {
        Path(apps.get_app_config(label).path).relative_to(settings.BASE_DIR).parts[0] for label in project_app_labels()
    }
    assert {"cohortnet", "privacy", "integrations", "outcomes"} <= ours
    assert ours - watched == set()
    assert "templates" in watched
