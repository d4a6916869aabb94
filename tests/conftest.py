"""Shared fixtures and the rules for tests that need real services.

Tests marked ``postgres`` or ``redis`` are deselected (not skipped) when the
suite runs on the embedded defaults, and the run says so. When DATABASE_URL or
REDIS_URL is set, they run, and an unreachable server fails them. Browser
tests fail in CI when Chromium is missing; on a laptop they skip with a hint.
"""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the test thread; Django would
# otherwise refuse ORM calls made beside it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _uses_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


@pytest.hookimpl(trylast=True)  # after pytest-django has put transactional tests after the others
def pytest_collection_modifyitems(config, items):
    # Browser tests last: Playwright's sync API leaves an event loop running in the main thread for the
    # rest of the session, and later tests that drive asyncio themselves (async_to_sync for the chat's
    # sockets, asyncio.run in the fan-out benchmark) cannot run beside it. A stable sort keeps the order
    # within each group.
    items.sort(key=_drives_a_browser)
    missing = []
    if not _uses_postgres():
        missing.append(("postgres", "DATABASE_URL is not a PostgreSQL URL"))
    if not os.environ.get("REDIS_URL"):
        missing.append(("redis", "REDIS_URL is not set"))
    if not missing:
        return
    kept, deselected = [], []
    for item in items:
        if any(item.get_closest_marker(marker) for marker, _reason in missing):
            deselected.append(item)
        else:
            kept.append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept
        reasons = "; ".join(reason for _marker, reason in missing)
        config._cohortnet_deselected = f"{len(deselected)} tests need PostgreSQL/Redis and were deselected ({reasons})."


#: pytest-playwright's fixtures: a test using one drives Chromium through Playwright's sync API.
PLAYWRIGHT_FIXTURES = {"page", "context", "browser", "playwright", "new_context"}


def _drives_a_browser(item) -> bool:
    return item.get_closest_marker("browser") is not None or bool(
        PLAYWRIGHT_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    note = getattr(config, "_cohortnet_deselected", None)
    if note:
        terminalreporter.write_line(note)


@pytest.fixture(autouse=True)
def _test_settings(request, settings):
    # Fast hashing in tests; real hashers in every other environment.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # allauth keeps rate limits in the cache: each test starts with an empty
    # one of its own, never the shared Redis.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()
    # Tasks queued by the code under test run in-process, so no test leaves
    # messages on a broker; tests marked redis talk to a real worker instead.
    from cohortnet.celery import app

    eager = request.node.get_closest_marker("redis") is None
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM) or not shutil.which(CHROMIUM):
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def _migration_data_for_transactional_tests(request):
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        from toolbox.migration_data import restore_migration_data

        restore_migration_data()


@pytest.fixture
def member(client):
    """The test client signed in as a participant of a cohort; ``client.participant`` and ``client.cohort`` say whose.

    Test modules that need a particular cohort or organisation name define their own ``member``.
    """
    from tests.factories import ParticipantFactory

    participant = ParticipantFactory()
    client.force_login(participant.user)
    client.participant = participant
    client.cohort = participant.membership.cohort
    return client
