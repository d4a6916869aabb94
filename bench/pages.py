"""Benchmark: the project's pages under load next to a bare-Django baseline, at two scales, plus a deadline spike.

Run with ``make bench`` (PostgreSQL, gunicorn in production mode with 2
workers, wrk on 127.0.0.1). For each page it reports requests per second,
p50 and p99 latency, the ratio to the baseline page at the same scale, and
the page's query count at S and at L. Writes var/bench/latest.json and .md.

Each page runs BENCH_ROUNDS times (3) for BENCH_DURATION (4s), every run
right after a run of the baseline: the ratio is the median of those paired
ratios, which holds still on a machine whose speed drifts. Each page's
requests rotate over up to ROTATE (100) people and objects (a wrk Lua script),
then one client alone gives the single-connection p50. At L, SPIKE_SUBMISSIONS
(1,000) applicants submit over the last SPIKE_SECONDS (60) before the calls
close. BENCH_SMOKE=1 shrinks L to check the harness quickly.
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

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY  # noqa: E402
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
if os.environ.get("BENCH_SMOKE"):
    # A quick run that checks the harness itself (a minute), not a measurement: L barely larger than S.
    SCALES["L"] = {**SCALES["S"], "applications": 1_200, "organisations": 120, "rsvps": 500, "instalments": 300}
DURATION = os.environ.get("BENCH_DURATION", "4s")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "16")
# This machine's speed drifts by half within minutes (a shared VM), so every page is measured in
# rounds, each right after a run of the baseline, and its ratio is the median of the rounds' ratios.
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
#: Each page's requests rotate over this many distinct people and objects (issue #20: at least 100).
ROTATE = 100
#: How long the single-client latency run lasts per page.
SINGLE_DURATION = os.environ.get("BENCH_SINGLE_DURATION", "3s")
#: The deadline spike: this many submissions spread over the last SPIKE_SECONDS before a call closes.
SPIKE_SUBMISSIONS = int(os.environ.get("BENCH_SPIKE_SUBMISSIONS", "1000"))
SPIKE_SECONDS = int(os.environ.get("BENCH_SPIKE_SECONDS", "60"))
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
    # The first ROTATE applicants keep drafts (the form and the draft save rotate over them); the next
    # ROTATE are submitted (their status pages rotate); participants are the first users, one per member.
    rotate = min(ROTATE, len(users) // 2)
    drafts = list(Application.objects.filter(created_by__in=users[:rotate]).order_by("created_by_id"))
    Application.objects.filter(pk__in=[d.pk for d in drafts]).update(status="draft", submitted_at=None)
    submitted = list(Application.objects.filter(created_by__in=users[rotate : 2 * rotate]).order_by("created_by_id"))
    return {"calls": calls, "cohort": cohort, "events": events[:ROTATE], "drafts": drafts, "submitted": submitted,
            "participants": users[: min(ROTATE, participants)], "staff": staff, "users": users}  # fmt: skip


def session_cookie(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if user.is_staff:
        # The admin wants a session that used two factors in production (StaffRequiresMFAMiddleware).
        # allauth keeps the records with the user they belong to (as a string), and ignores them otherwise.
        session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "mfa", "type": "totp", "at": time.time()}]
        session[AUTHENTICATION_METHODS_SESSION_KEY + "_user"] = str(user.pk)
    session.create()
    return session.session_key


CSRF = "a" * 32


def pages(world: dict) -> list[tuple]:
    """(label, method, [(path, user), ...], POST body): each page rotates over up to ROTATE users and objects.

    Rotating keeps the measurement honest for anything cached per object or per person: one URL asked
    for over and over would meet a warm cache every time.
    """
    cohort, staff = world["cohort"], world["staff"]
    participants, events = world["participants"], world["events"]
    paired = [(events[n % len(events)], person) for n, person in enumerate(participants)]
    applications_pages = max(1, -(-Application.objects.count() // 50))
    instalments_pages = max(1, -(-Instalment.objects.count() // 50))
    return [
        (BASELINE, "GET", [("/bench/baseline/", None)], None),
        ("the baseline through a template", "GET", [("/bench/baseline-template/", None)], None),
        ("open call page", "GET", [(call.get_absolute_url(), None) for call in world["calls"]], None),
        ("applicant status page", "GET", [(a.get_absolute_url(), a.created_by) for a in world["submitted"]], None),
        ("application form", "GET", [(f"/applications/{a.pk}/edit/", a.created_by) for a in world["drafts"]], None),
        ("draft save (POST)", "POST", [(f"/applications/{a.pk}/autosave/", a.created_by) for a in world["drafts"]],
         "licence=CC0"),
        ("cohort directory", "GET", [(f"/cohorts/{cohort.slug}/members/", p) for p in participants], None),
        ("event list (cohort home)", "GET", [(cohort.get_absolute_url(), p) for p in participants], None),
        ("event detail", "GET", [(e.get_absolute_url(), p) for e, p in paired], None),
        ("RSVP (POST)", "POST", [(f"/events/{e.pk}/rsvp/", p) for e, p in paired], "answer=going"),
        ("staff home (admin index)", "GET", [("/admin/", staff)], None),
        ("admin application changelist (pipeline)", "GET",
         [(f"/admin/applications/application/?p={n}", staff) for n in range(1, min(ROTATE, applications_pages) + 1)],
         None),
        ("admin instalment changelist", "GET",
         [(f"/admin/funding/instalment/?p={n}", staff) for n in range(1, min(ROTATE, instalments_pages) + 1)], None),
        ("budget dashboard", "GET", [(f"/funding/cohorts/{cohort.slug}/", staff)], None),
    ]  # fmt: skip


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


def rotation_script(method, variants, body) -> str:
    """A wrk Lua script that sends each request to the next (path, session) of ``variants``, in turn."""
    rows = ",\n".join(f'  {{"{path}", "{cookie or ""}"}}' for path, cookie in variants)
    form = 'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
    body_line = f'wrk.body = "{body}"\n{form}' if body else ""
    return (
        f'wrk.method = "{method}"\n{body_line}'
        f'wrk.headers["X-Forwarded-Proto"] = "https"\nwrk.headers["X-CSRFToken"] = "{CSRF}"\n'
        'wrk.headers["HX-Request"] = "true"\n'
        f"local variants = {{\n{rows}\n}}\n"
        "local counter = 0\n"
        # Each wrk thread starts at its own place in the list (setup runs in wrk's main state and sets the
        # thread's global), so two threads do not ask for the same row at once.
        "offset = 0\n"
        "threads = 0\n"
        "function setup(thread)\n  thread:set('offset', threads * 7)\n  threads = threads + 1\nend\n"
        "function request()\n"
        "  counter = counter + 1\n"
        "  local row = variants[((counter + offset) % #variants) + 1]\n"
        # wrk.format uses the table it is given instead of wrk.headers, so each row's is a copy plus its cookie.
        "  local headers = row.headers\n"
        "  if headers == nil then\n"
        "    headers = {}\n"
        "    for name, value in pairs(wrk.headers) do headers[name] = value end\n"
        f'    if row[2] ~= "" then headers["Cookie"] = "sessionid=" .. row[2] .. "; csrftoken={CSRF}" end\n'
        "    row.headers = headers\n"
        "  end\n"
        "  return wrk.format(nil, row[1], headers)\n"
        "end\n"
    )


def wrk(base, method, variants, body, *, connections=None, threads=2, duration=None) -> dict:
    """Load ``variants`` ([(path, session key)]) in turn with wrk; throughput, latencies and errors."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(rotation_script(method, variants, body))
    referer = ["-H", f"Referer: {base.replace('http:', 'https:')}/"]
    try:
        output = subprocess.run(  # noqa: S603 -- wrk on loopback, fixed arguments
            [shutil.which("wrk"), f"-t{threads}", f"-c{connections or CONNECTIONS}", f"-d{duration or DURATION}",
             "--latency", *referer, "-s", script.name, base],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(script.name)

    def latency(label):
        value, unit = re.search(rf"{label}%\s+([\d.]+)(\w+)", output).groups()
        return round(float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit], 2)

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
    }


def single_client_p50(base, method, variants, body) -> float | None:
    """The latency one person alone meets: one connection, one thread, the same rotation (None if none finished)."""
    run = wrk(base, method, variants, body, connections=1, threads=1, duration=SINGLE_DURATION)
    return run["p50_ms"] if run["requests"] else None


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


def cache_counters() -> tuple[int, int] | None:
    """Redis's keyspace hits and misses so far (None without REDIS_URL): the cache is all the pages use Redis for.

    Sessions live in the database and the broker is in memory here, so during a page's runs every read of
    Redis is a cache read; the hit rate beside a page is hits / (hits + misses) over its rounds.
    """
    url = os.environ.get("REDIS_URL")
    if not url:
        return None
    import redis

    stats = redis.Redis.from_url(url).info("stats")
    return stats["keyspace_hits"], stats["keyspace_misses"]


def hit_rate(before, after) -> str:
    """The share of cache reads that found their entry, as a percentage ("–" when the page read no cache)."""
    if before is None or after is None:
        return "–"
    hits, misses = after[0] - before[0], after[1] - before[1]
    return f"{100 * hits / (hits + misses):.0f} %" if hits + misses else "–"


def private_redis():
    """A Redis server of this run's own, so the hit rate counts the pages' cache reads and nothing else's.

    Redis counts hits and misses for the whole server, so another program using the same server (a test
    run, a worker) would be counted too. Without redis-server on this machine, REDIS_URL's server is used
    and the hit rates are only as clean as that server is quiet. Returns the process, or None.
    """
    binary = shutil.which("redis-server")
    if not binary:
        return None
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 -- redis-server on loopback, fixed arguments, nothing kept on disk
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        cwd=tempfile.gettempdir(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(50):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.1)
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"  # gunicorn's workers inherit it
    return process


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


def deadline_spike(base, world) -> dict:
    """SPIKE_SUBMISSIONS applicants submit in the last minute before their call closes; errors, losses, latency.

    The submissions start evenly over SPIKE_SECONDS (about 17 a second for 1,000), each on its own thread and
    session, and the calls close a few seconds after the last one is sent, so every submission is on time
    and none may be refused or lost.
    """
    applicants = world["users"][-SPIKE_SUBMISSIONS:]
    drafts = {a.created_by_id: a for a in Application.objects.filter(created_by__in=applicants)}
    Application.objects.filter(pk__in=[d.pk for d in drafts.values()]).update(status="draft", submitted_at=None)
    cookies = {u.pk: session_cookie(u) for u in applicants}
    OpenCall.objects.filter(pk__in=[c.pk for c in world["calls"]]).update(
        closes_at=timezone.now() + timedelta(seconds=SPIKE_SECONDS + 15)
    )
    answers = ("data_stewarded=Data&licence=CC+BY&sustainability=S&contribution=C&time_commitment=T"
               "&funding_requested=1000&consent_to_publish=on&themes={theme}&submit_application=1")  # fmt: skip
    body = answers.format(theme=Theme.objects.first().pk).encode()
    errors, latencies, lock = [], [], threading.Lock()
    started = time.perf_counter()

    def submit(n, user):
        time.sleep(max(0.0, started + n * SPIKE_SECONDS / len(applicants) - time.perf_counter()))
        request = urllib.request.Request(  # noqa: S310 -- loopback
            f"{base}/applications/{drafts[user.pk].pk}/edit/",
            data=body,
            headers={"Cookie": f"sessionid={cookies[user.pk]}; csrftoken={CSRF}", "X-CSRFToken": CSRF,
                     "X-Forwarded-Proto": "https", "Referer": base.replace("http:", "https:") + "/",
                     "Content-Type": "application/x-www-form-urlencoded"},
        )  # fmt: skip
        sent = time.perf_counter()
        error = None
        try:
            with urllib.request.build_opener(_NoRedirect).open(request, timeout=60):
                pass
        except urllib.error.HTTPError as exc:
            if exc.code != 302:
                error = exc.code
        except Exception as exc:  # noqa: BLE001 -- counted as an error
            error = str(exc)
        with lock:
            latencies.append(time.perf_counter() - sent)
            if error is not None:
                errors.append(error)

    threads = [threading.Thread(target=submit, args=(n, u)) for n, u in enumerate(applicants)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SPIKE_SECONDS + 90)
    seconds = time.perf_counter() - started
    submitted = Application.objects.filter(pk__in=[d.pk for d in drafts.values()], status="submitted").count()
    latencies.sort()
    return {"applicants": len(applicants), "seconds": round(seconds, 2), "errors": len(errors),
            "lost": len(applicants) - submitted,
            "p50_ms": round(1000 * latencies[len(latencies) // 2], 1),
            "p99_ms": round(1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 1)}  # fmt: skip


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def main() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    redis_server = private_redis()
    try:
        measure()
    finally:
        if redis_server:
            redis_server.terminate()


def measure() -> None:
    """Every page at each scale, then the deadline spike at L; prints the table and writes var/bench/latest.*."""
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
            (_, _, baseline_variants, _), *measured = pages(world)
            baselines = []
            for label, method, variants, body in measured:
                path, user = variants[0]
                queries = query_count(method, path, user, body)
                sessions = {}
                keyed = [(p, sessions.setdefault(u.pk, session_cookie(u)) if u else None) for p, u in variants]
                for p, cookie in keyed[:3]:
                    status = probe(base, method, p, cookie, body)
                    if status != 200:
                        raise SystemExit(f"{label}: {method} {p} answered {status}, not 200")
                rounds, counted = [], [0, 0]
                for _ in range(ROUNDS):
                    before = wrk(base, "GET", baseline_variants, None)
                    baselines.append(before)
                    cache_before = cache_counters()
                    rounds.append((before, wrk(base, method, keyed, body)))
                    cache_after = cache_counters()
                    if cache_before is not None:
                        counted[0] += cache_after[0] - cache_before[0]
                        counted[1] += cache_after[1] - cache_before[1]
                load = summarise([page for _, page in rounds])
                load["cache_hit_rate"] = hit_rate((0, 0), tuple(counted)) if cache_before is not None else "–"
                load["ratio_to_baseline"] = round(statistics.median(p["rps"] / b["rps"] for b, p in rounds), 2)
                load["single_p50_ms"] = single_client_p50(base, method, keyed, body)
                load["distinct"] = len(keyed)
                results.setdefault(label, {})[scale_name] = {**load, "queries": queries}
                print(
                    f"  {label:34} {load['rps']:8.1f} req/s  p50 {load['p50_ms']:7.2f} ms"
                    f"  p99 {load['p99_ms']:7.2f} ms  × baseline {load['ratio_to_baseline']:5.2f}"
                    f"  alone p50 {load['single_p50_ms']} ms  {queries} queries  over {len(keyed)}"
                    f"  cache hits {load['cache_hit_rate']}" + (f"  {load['errors']} ERRORS" if load["errors"] else "")
                )
            results[BASELINE][scale_name] = {
                **summarise(baselines),
                "ratio_to_baseline": 1.0,
                "queries": 1,
                "single_p50_ms": single_client_p50(base, "GET", baseline_variants, None),
                "distinct": 1,
                "cache_hit_rate": "–",
            }
            if scale_name == "L":
                spike = deadline_spike(base, world)
        finally:
            server.terminate()
            server.wait(timeout=20)

    lines = [
        "| page | req/s S | req/s L | p50 L (ms) | p99 L (ms) | × baseline L | one client p50 L (ms) "
        "| rotated over (L) | cache hits L | queries S | queries L |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for label, r in results.items():
        lines.append(
            f"| {label} | {r['S']['rps']:.0f} | {r['L']['rps']:.0f} | {r['L']['p50_ms']} | {r['L']['p99_ms']} | "
            f"{r['L']['ratio_to_baseline']} | {r['L']['single_p50_ms']} | {r['L']['distinct']} | "
            f"{r['L']['cache_hit_rate']} | "
            f"{r['S']['queries']} | {r['L']['queries']} |"
        )
    lines.append("")
    lines.append(f"Deadline spike: {spike['applicants']} submissions over the last {SPIKE_SECONDS} s before the "
                 f"calls close: {spike['errors']} errors, {spike['lost']} lost, p50 {spike['p50_ms']} ms, "
                 f"p99 {spike['p99_ms']} ms, all done in {spike['seconds']} s.")  # fmt: skip
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
