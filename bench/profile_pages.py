"""Where a page's time goes: cProfile over the benchmark's pages at scale L, in one process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cohortnet_profile .venv/bin/python bench/profile_pages.py [label …]

Builds the L programme of bench/pages.py in the database it is given (emptied first; KEEP=1 reuses what
is there from a previous run), then asks each page (or only the pages whose label contains one of the
arguments) REQUESTS times through Django's test client with DEBUG off, rotating over the same people and
objects as the benchmark, and prints the mean milliseconds per request and the functions with the most
cumulative time. The findings behind issue #20's changes came from here.
"""

import cProfile
import io
import os
import pstats
import sys
import time
import urllib.parse

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,testserver")
os.environ.setdefault("STATIC_MANIFEST", "false")

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from pages import SCALES, generate, pages, session_cookie  # noqa: E402 -- sets Django up

from toolbox.migration_data import restore_migration_data  # noqa: E402

REQUESTS = int(os.environ.get("REQUESTS", "40"))
TOP = int(os.environ.get("TOP", "35"))


def world_from_database():
    """The objects the pages need, read back from a database a previous run generated."""
    from django.contrib.auth import get_user_model

    from applications.models import Application, OpenCall
    from cohorts.models import Cohort
    from events.models import Event

    people = get_user_model().objects.filter(email__endswith="@bench.example").exclude(is_staff=True)
    users = list(people.order_by("pk"))
    drafts = list(Application.objects.filter(status="draft").order_by("created_by_id").select_related("created_by"))
    submitted_users = users[len(drafts) : 2 * len(drafts)]
    submitted = list(
        Application.objects.filter(created_by__in=submitted_users)
        .order_by("created_by_id")
        .select_related("created_by")
    )
    cohort = Cohort.objects.get(slug="bench")
    participants = cohort.memberships.count()
    return {
        "calls": list(OpenCall.objects.order_by("pk")),
        "cohort": cohort,
        "events": list(Event.objects.filter(cohort=cohort).order_by("pk")[:100]),
        "drafts": drafts,
        "submitted": submitted,
        "participants": users[: min(100, participants)],
        "staff": get_user_model().objects.get(email="staff@bench.example"),
        "users": users,
    }


def main() -> None:
    if os.environ.get("KEEP"):
        world = world_from_database()
    else:
        call_command("flush", interactive=False, verbosity=0)
        call_command("migrate", verbosity=0)
        restore_migration_data()
        world = generate(SCALES["L"])
    wanted = sys.argv[1:]
    clients = {}
    for label, method, variants, body in pages(world):
        if wanted and not any(w.lower() in label.lower() for w in wanted):
            continue
        data = dict(urllib.parse.parse_qsl(body)) if body else None

        def ask(n, variants=variants, method=method, data=data, label=label):
            path, user = variants[n % len(variants)]
            key = user.pk if user else None
            if key not in clients:
                clients[key] = Client(HTTP_HOST="127.0.0.1", HTTP_HX_REQUEST="true", secure=True)
                if user:  # the benchmark's own sessions: staff ones carry the second factor the admin asks for
                    clients[key].cookies["sessionid"] = session_cookie(user)
            client = clients[key]
            response = client.get(path) if method == "GET" else client.post(path, data)
            if response.status_code != 200:
                raise SystemExit(f"{label}: {path} answered {response.status_code}")

        for n in range(min(5, len(variants))):  # warm: templates compiled, connections open
            ask(n)
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for n in range(REQUESTS):
            ask(n)
        profiler.disable()
        elapsed = (time.perf_counter() - started) / REQUESTS * 1000
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(TOP)
        print(f"\n===== {label}: {elapsed:.1f} ms per request (profiled) =====")
        print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))


if __name__ == "__main__":
    main()
