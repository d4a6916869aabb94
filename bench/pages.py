"""Benchmark: the project's pages under load next to a bare-Django baseline, at two scales, plus a deadline spike.

Run with ``make bench`` (PostgreSQL, gunicorn in production mode with 2
workers, wrk on 127.0.0.1). For each page it reports requests per second,
p50 and p99 latency, the ratio to the baseline page at the same scale, and
the page's query count at S and at L. Writes var/bench/latest.json and .md.

Each page runs BENCH_ROUNDS times (3) for BENCH_DURATION (4s), every run
right after a run of the baseline: the ratio is the median of those paired
ratios, which holds still on a machine whose speed drifts.
"""

import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cohortnet.settings")
os.environ["ROOT_URLCONF"] = "bench.urls"
# Sessions made here must be readable by the gunicorn workers: one key for both.
BENCH_SECRET_KEY = "bench-only-" + "x" * 60
os.environ["SECRET_KEY"] = BENCH_SECRET_KEY
os.environ["CELERY_BROKER_URL"] = "memory://"

import django  # noqa: E402 -- settings must be configured first

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from applications.models import Application, OpenCall  # noqa: E402
from cohorts.models import Cohort, Membership, Organisation, OrganisationPerson, Participant, Theme  # noqa: E402
from events.models import RSVP, Event  # noqa: E402
from funding.models import Award, Instalment  # noqa: E402
from toolbox.migration_data import restore_migration_data  # noqa: E402

SCALES = {
    "S": {"calls": 1, "applications": 200, "organisations": 8, "events": 40, "rsvps": 0, "instalments": 0},
    "L": {
        "calls": 10,
        "applications": 10_000,
        "organisations": 200,
        "events": 2_000,
        "rsvps": 50_000,
        "instalments": 10_000,
    },
}
DURATION = os.environ.get("BENCH_DURATION", "4s")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "16")
# This machine's speed drifts by half within minutes (a shared VM), so every page is measured in
# rounds, each right after a run of the baseline, and its ratio is the median of the rounds' ratios.
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
BASELINE = "baseline (bare Django, 1 query)"
PASSWORD = make_password(None)


def generate(scale: dict) -> dict:
    """Bulk-insert a programme of the given size. Returns the objects the pages need."""
    User = get_user_model()
    now = timezone.now()
    cohort = Cohort.objects.create(
        name="Bench cohort",
        slug="bench",
        starts_on=now.date(),
        ends_on=now.date() + timedelta(days=180),
        status="running",
    )
    calls = OpenCall.objects.bulk_create(
        [
            OpenCall(
                cohort=cohort, title=f"Open call {n}", slug=f"call-{n}", summary="s", description="d", eligibility="e",
                opens_at=now - timedelta(days=10), closes_at=now + timedelta(days=30),
            )
            for n in range(scale["calls"])
        ]
    )  # fmt: skip
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(name=f"Organisation {n:05d}", country="GB", open_data="Open data.")
            for n in range(scale["applications"])
        ]
    )
    users = User.objects.bulk_create(
        [User(email=f"person{n}@bench.example", password=PASSWORD) for n in range(scale["applications"])]
    )
    EmailAddress.objects.bulk_create([EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users])
    OrganisationPerson.objects.bulk_create(
        [OrganisationPerson(organisation=o, user=u, role="lead") for o, u in zip(organisations, users, strict=True)]
    )
    Application.objects.bulk_create(
        [
            Application(
                call=calls[n % len(calls)], organisation=organisations[n], created_by=users[n], status="submitted",
                data_stewarded="Data", licence="CC BY 4.0", sustainability="S", contribution="C", time_commitment="T",
                funding_requested=Decimal("10000"), consent_to_publish=True, submitted_at=now,
            )
            for n in range(scale["applications"])
        ]
    )  # fmt: skip
    memberships = Membership.objects.bulk_create(
        [
            Membership(cohort=cohort, organisation=organisations[n], listed_publicly=True)
            for n in range(scale["organisations"])
        ]
    )
    Participant.objects.bulk_create(
        [
            Participant(membership=m, user=users[n], role="lead", show_contact_details=True)
            for n, m in enumerate(memberships)
        ]
    )
    starts = now + timedelta(days=20)
    events = Event.objects.bulk_create(
        [
            Event(
                cohort=cohort,
                title=f"Roundtable {n}",
                starts_at=starts + timedelta(hours=n),
                ends_at=starts + timedelta(hours=n, minutes=90),
            )
            for n in range(scale["events"])
        ]
    )  # fmt: skip
    participants = len(memberships)
    RSVP.objects.bulk_create(
        [
            RSVP(event=events[n // participants % len(events)], user=users[n % participants],
                 membership=memberships[n % participants], status="going")
            for n in range(min(scale["rsvps"], len(events) * participants))
        ],
        ignore_conflicts=True,
    )  # fmt: skip
    awards = Award.objects.bulk_create(
        [Award(membership=m, amount=Decimal("20000"), committed=Decimal("0")) for m in memberships]
    )
    Instalment.objects.bulk_create(
        [
            Instalment(award=awards[n % len(awards)], amount=Decimal("1"), due_on=date(2027, 1, 1))
            for n in range(scale["instalments"])
        ]
    )
    # Fresh statistics, as autovacuum would have after a bulk load, so the planner sees the real sizes.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    staff = User.objects.create(email="staff@bench.example", password=PASSWORD, is_staff=True, is_superuser=True)
    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    staff.groups.add(Group.objects.get_or_create(name="Finance")[0])
    TOTP.activate(staff, generate_totp_secret())  # the admin needs two-factor in production
    draft = Application.objects.filter(created_by=users[0]).first()
    Application.objects.filter(pk=draft.pk).update(status="draft")
    return {"call": calls[0], "cohort": cohort, "event": events[0], "applicant": users[0], "application": draft,
            "participant": users[0], "staff": staff, "users": users}  # fmt: skip


def session_cookie(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


CSRF = "a" * 32


def pages(world: dict) -> list[tuple]:
    """(label, method, path, user, POST body)."""
    call, app, event, cohort = world["call"], world["application"], world["event"], world["cohort"]
    return [
        (BASELINE, "GET", "/bench/baseline/", None, None),
        ("the baseline through a template", "GET", "/bench/baseline-template/", None, None),
        ("open call page", "GET", call.get_absolute_url(), None, None),
        ("applicant status page", "GET", app.get_absolute_url(), world["applicant"], None),
        ("application form", "GET", f"/applications/{app.pk}/edit/", world["applicant"], None),
        ("draft save (POST)", "POST", f"/applications/{app.pk}/autosave/", world["applicant"], "licence=CC0"),
        ("cohort directory", "GET", f"/cohorts/{cohort.slug}/members/", world["participant"], None),
        ("event list (cohort home)", "GET", cohort.get_absolute_url(), world["participant"], None),
        ("event detail", "GET", event.get_absolute_url(), world["participant"], None),
        ("RSVP (POST)", "POST", f"/events/{event.pk}/rsvp/", world["participant"], "answer=going"),
        ("admin application changelist", "GET", "/admin/applications/application/", world["staff"], None),
        ("admin instalment changelist", "GET", "/admin/funding/instalment/", world["staff"], None),
        ("budget dashboard", "GET", f"/funding/cohorts/{cohort.slug}/", world["staff"], None),
    ]


def query_count(method, path, user, body) -> int:
    client = Client(HTTP_HOST="127.0.0.1", secure=True)
    if user:
        client.force_login(user)
    data = dict(urllib.parse.parse_qsl(body)) if body else None

    def send():
        return client.get(path) if method == "GET" else client.post(path, data)

    # Counted on the second request: the steady state wrk measures (a first RSVP creates the answer,
    # every later one finds it).
    send()
    with CaptureQueriesContext(connection) as queries:
        response = send()
    if response.status_code >= 400:
        raise SystemExit(f"{path} answered {response.status_code}")
    return len(queries)


def wrk(base, method, path, cookie, body) -> dict:
    headers = ["-H", "X-Forwarded-Proto: https"]
    if cookie:
        headers += ["-H", f"Cookie: sessionid={cookie}; csrftoken={CSRF}"]
    script = None
    if method == "POST":
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115 -- wrk reads it by path
        script.write(
            f'wrk.method = "POST"\nwrk.body = "{body}"\n'
            f'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
            f'wrk.headers["X-CSRFToken"] = "{CSRF}"\nwrk.headers["HX-Request"] = "true"\n'
            f'wrk.headers["Referer"] = "{base.replace("http:", "https:")}/"\n'
        )
        script.close()
        headers += ["-s", script.name]
    output = subprocess.run(  # noqa: S603 -- wrk on loopback, fixed arguments
        [shutil.which("wrk"), "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", *headers, f"{base}{path}"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    if script:
        os.unlink(script.name)

    def latency(label):
        value, unit = re.search(rf"{label}%\s+([\d.]+)(\w+)", output).groups()
        return round(float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit], 2)

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
    }


def summarise(runs: list[dict]) -> dict:
    """Several wrk runs of one page: mean throughput, median latencies, errors added up."""
    return {
        "rps": round(statistics.mean(r["rps"] for r in runs), 1),
        "p50_ms": round(statistics.median(r["p50_ms"] for r in runs), 2),
        "p99_ms": round(statistics.median(r["p99_ms"] for r in runs), 2),
        "errors": sum(r["errors"] for r in runs),
        "runs": len(runs),
    }


def probe(base, method, path, cookie, body) -> int:
    """The status one request gets, so a benchmark never measures a login redirect by mistake."""
    # Behind the (pretend) TLS proxy the request is secure, so CSRF checks the Referer against the host.
    headers = {"X-Forwarded-Proto": "https", "HX-Request": "true", "Referer": base.replace("http:", "https:") + "/"}
    if cookie:
        headers.update({"Cookie": f"sessionid={cookie}; csrftoken={CSRF}", "X-CSRFToken": CSRF})
    data = body.encode() if body else None
    if data:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(f"{base}{path}", data=data, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port):
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": BENCH_SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_MANIFEST": "false",
        "CONN_MAX_AGE": "60",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    process = subprocess.Popen(  # noqa: S603 -- our own interpreter, fixed arguments, loopback only
        [sys.executable, "-m", "gunicorn", "cohortnet.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--no-control-socket", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def deadline_spike(base, users) -> dict:
    """200 applicants submit within 60 seconds, all at once. Counts errors and submissions lost."""
    applicants = users[1:201]
    drafts = {a.created_by_id: a for a in Application.objects.filter(created_by__in=applicants)}
    Application.objects.filter(pk__in=[d.pk for d in drafts.values()]).update(status="draft", submitted_at=None)
    cookies = {u.pk: session_cookie(u) for u in applicants}
    errors, barrier = [], threading.Barrier(len(applicants))
    answers = ("data_stewarded=Data&licence=CC+BY&sustainability=S&contribution=C&time_commitment=T"
               "&funding_requested=1000&consent_to_publish=on&themes={theme}&submit_application=1")  # fmt: skip
    body = answers.format(theme=Theme.objects.first().pk).encode()

    def submit(user):
        request = urllib.request.Request(  # noqa: S310 -- loopback
            f"{base}/applications/{drafts[user.pk].pk}/edit/",
            data=body,
            headers={"Cookie": f"sessionid={cookies[user.pk]}; csrftoken={CSRF}", "X-CSRFToken": CSRF,
                     "X-Forwarded-Proto": "https", "Referer": base.replace("http:", "https:") + "/",
                     "Content-Type": "application/x-www-form-urlencoded"},
        )  # fmt: skip
        try:
            barrier.wait(timeout=30)
            with urllib.request.build_opener(_NoRedirect).open(request, timeout=60):
                pass
        except urllib.error.HTTPError as exc:
            if exc.code != 302:
                errors.append(exc.code)
        except Exception as exc:  # noqa: BLE001 -- counted as an error
            errors.append(str(exc))

    started = time.perf_counter()
    threads = [threading.Thread(target=submit, args=(u,)) for u in applicants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    seconds = time.perf_counter() - started
    submitted = Application.objects.filter(pk__in=[d.pk for d in drafts.values()], status="submitted").count()
    return {"applicants": len(applicants), "seconds": round(seconds, 2), "errors": len(errors),
            "lost": len(applicants) - submitted}  # fmt: skip


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def main() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    results, spike = {BASELINE: {}}, None
    for scale_name, scale in SCALES.items():
        call_command("flush", interactive=False, verbosity=0)
        call_command("migrate", verbosity=0)
        restore_migration_data()
        started = time.perf_counter()
        world = generate(scale)
        generated = round(time.perf_counter() - started, 1)
        print(f"Scale {scale_name}: generated in {generated} s")
        port = free_port()
        server = start_gunicorn(port)
        base = f"http://127.0.0.1:{port}"
        try:
            (_, _, baseline_path, _, _), *measured = pages(world)
            baselines = []
            for label, method, path, user, body in measured:
                queries = query_count(method, path, user, body)
                cookie = session_cookie(user) if user else None
                status = probe(base, method, path, cookie, body)
                if status != 200:
                    raise SystemExit(f"{label}: {method} {path} answered {status}, not 200")
                rounds = []
                for _ in range(ROUNDS):
                    before = wrk(base, "GET", baseline_path, None, None)
                    baselines.append(before)
                    rounds.append((before, wrk(base, method, path, cookie, body)))
                load = summarise([page for _, page in rounds])
                load["ratio_to_baseline"] = round(statistics.median(p["rps"] / b["rps"] for b, p in rounds), 2)
                results.setdefault(label, {})[scale_name] = {**load, "queries": queries}
                print(
                    f"  {label:34} {load['rps']:8.1f} req/s  p50 {load['p50_ms']:7.2f} ms"
                    f"  p99 {load['p99_ms']:7.2f} ms  × baseline {load['ratio_to_baseline']:5.2f}  {queries} queries"
                )
            results[BASELINE][scale_name] = {**summarise(baselines), "ratio_to_baseline": 1.0, "queries": 1}
            if scale_name == "L":
                spike = deadline_spike(base, world["users"])
        finally:
            server.terminate()
            server.wait(timeout=20)

    lines = [
        "| page | req/s S | req/s L | p50 L (ms) | p99 L (ms) | × baseline L | queries S | queries L |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for label, r in results.items():
        lines.append(
            f"| {label} | {r['S']['rps']:.0f} | {r['L']['rps']:.0f} | {r['L']['p50_ms']} | {r['L']['p99_ms']} | "
            f"{r['L']['ratio_to_baseline']} | {r['S']['queries']} | {r['L']['queries']} |"
        )
    lines.append("")
    lines.append(f"Deadline spike: {spike['applicants']} applicants submitting at once: {spike['seconds']} s, "
                 f"{spike['errors']} errors, {spike['lost']} lost.")  # fmt: skip
    table = "\n".join(lines)
    print(table)
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(
        json.dumps({"pages": results, "spike": spike, "database": settings.DATABASES["default"]["ENGINE"]}, indent=2)
    )
    (out / "latest.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
