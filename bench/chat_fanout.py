"""Benchmark: one chat message fanned out to 200 sockets in one room, next to Channels' own minimal fan-out.

Run with ``make bench`` (PostgreSQL and Redis). Two servers run side by side, each as
production runs the site: gunicorn with two uvicorn workers, DEBUG off, the Redis channel
layer, on 127.0.0.1. One serves the project (``cohortnet.asgi``: the origin check, the
session, the room's consumer, which stores each post and renders it for each person); the
other serves ``bench/chat_baseline.py``, a consumer that only adds sockets to a group and
sends each text it receives to it.

200 participants of one running cohort (signed in with sessions made by the session engine)
open a socket to the cohort's general room, and 200 more to the baseline. The first socket
of each sends BENCH_CHAT_MESSAGES (20) messages, one at a time: each waits until every
socket, the sender's own included, has it (or 30 s have passed, and the missing count as
lost), then 0.2 s. A message's delivery latency to a socket is the time from just before
the send to its arrival, both read with ``time.perf_counter`` in this one process.

The messages go in BENCH_CHAT_ROUNDS (4) rounds, each a share of the baseline's then the same
share of ours, so that the machine's drifting speed weighs on both alike; each ratio
(baseline ÷ ours: below 1 means ours is slower) is the median of the rounds' ratios. Writes
var/bench/chat_fanout.json and .md, and adds the table to var/bench/latest.md and .json.
"""

import asyncio
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from contextlib import ExitStack, suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CLIENTS = int(os.environ.get("BENCH_CHAT_CLIENTS", "200"))
MESSAGES = int(os.environ.get("BENCH_CHAT_MESSAGES", "20"))
ROUNDS = int(os.environ.get("BENCH_CHAT_ROUNDS", "4"))
WORKERS = 2
#: Sent first to each server and not counted: the first post loads templates and opens connections.
WARMUP = 2
#: How long one message may take to reach every socket; those it has not reached by then are lost.
DELIVERY_TIMEOUT = 30.0
GAP = 0.2
#: Sockets opened at once (each handshake of ours reads the session, the user and the room).
CONNECT_AT_ONCE = 20
START_TIMEOUT = 120
ORIGIN = "https://127.0.0.1"
BASELINE_PATH = "/ws/bench/baseline/"
MARK = re.compile(r"fanout-(\d+)-end")
OURS = "CohortNet room (cohortnet.asgi)"
BASELINE = "baseline (Channels, group_add + group_send)"


# --- the cohort, its room and its people ---------------------------------------------------------------


def seed(clients: int):
    """A running cohort with ``clients`` participants (bulk inserts); returns its general room and their cookies."""
    from datetime import timedelta
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from chat.services import room_get_or_create
    from cohorts.models import Cohort, Membership, Organisation, Participant

    User = get_user_model()
    today = timezone.now().date()
    cohort = Cohort.objects.create(
        name="Chat bench cohort", slug=f"chat-bench-{uuid.uuid4().hex[:8]}", status=Cohort.Status.RUNNING,
        starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=150),
    )  # fmt: skip
    organisations = Organisation.objects.bulk_create(
        [Organisation(name=f"Chat bench organisation {n:03d}") for n in range(clients)]
    )
    memberships = Membership.objects.bulk_create([Membership(cohort=cohort, organisation=o) for o in organisations])
    password = make_password(None)
    users = User.objects.bulk_create(
        [
            User(email=f"chat{n}-{cohort.slug}@bench.example", name=f"Chat Person {n}", password=password)
            for n in range(clients)
        ]
    )
    Participant.objects.bulk_create(
        [Participant(membership=m, user=u) for m, u in zip(memberships, users, strict=True)]
    )
    room = room_get_or_create(cohort=cohort)
    store = import_module(settings.SESSION_ENGINE).SessionStore
    cookies = []
    for user in users:
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
    return room, cookies


# --- the servers ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def start_server(app: str, log: Path, redis_url: str, extra_env: dict | None = None):
    """gunicorn with uvicorn workers in production mode, in a process group of its own; (process, ws://host:port)."""
    from django.conf import settings

    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "ROOT_URLCONF"}}
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": settings.SECRET_KEY,  # the sessions made here must read the same in the server
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url(),
            "REDIS_URL": redis_url,
            "STATIC_MANIFEST": "false",
            "CELERY_BROKER_URL": "memory://",
            **(extra_env or {}),
        }
    )
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 -- our own interpreter, fixed arguments, loopback only
        [sys.executable, "-m", "gunicorn", app, "--worker-class", "uvicorn_worker.UvicornWorker",
         "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS), "--no-control-socket", "--log-level", "info"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"), start_new_session=True,
    )  # fmt: skip
    return process, f"ws://127.0.0.1:{port}"


def wait_until_started(process, log: Path) -> None:
    """Until every worker has loaded the application: sockets opened earlier would all land on the first one."""
    deadline = time.monotonic() + START_TIMEOUT
    while log.read_text().count("Application startup complete.") < WORKERS:
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"gunicorn ({log.name}) did not start: {log.read_text()[-3000:]}")
        time.sleep(0.2)


def stop_server(process) -> None:
    """The whole process group (gunicorn and its workers), politely, then not."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


# --- the clients ---------------------------------------------------------------------------------------


class Target:
    """One server's sockets and what they received: ``arrivals[message]`` holds one perf_counter per socket."""

    def __init__(self, name: str, url: str, cookies: list[str | None], frame):
        self.name, self.url, self.cookies, self.frame = name, url, cookies, frame
        self.sockets, self.readers = [], []
        self.arrivals: dict[int, list[float]] = {}
        self.complete: dict[int, asyncio.Event] = {}
        self.unexpected: list[str] = []

    async def open(self) -> None:
        from websockets.asyncio.client import connect

        limit = asyncio.Semaphore(CONNECT_AT_ONCE)

        async def one(cookie):
            headers = {"Cookie": cookie} if cookie else None
            async with limit:
                return await connect(
                    self.url, origin=ORIGIN, additional_headers=headers, open_timeout=60, ping_interval=None,
                    max_size=2**20,
                )  # fmt: skip

        self.sockets = await asyncio.gather(*(one(c) for c in self.cookies))
        self.readers = [asyncio.create_task(self._read(ws)) for ws in self.sockets]

    async def _read(self, ws) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for raw in ws:
                arrived = time.perf_counter()
                found = MARK.search(raw)
                if found is None:
                    self.unexpected.append(raw[:200])
                    continue
                number = int(found.group(1))
                arrivals = self.arrivals.setdefault(number, [])
                arrivals.append(arrived)
                if len(arrivals) == len(self.sockets) and number in self.complete:
                    self.complete[number].set()
        except ConnectionClosed as exc:
            self.unexpected.append(f"socket closed: {exc}")

    async def send(self, number: int) -> tuple[float, list[float]]:
        """Send message ``number`` from the first socket; (send time, arrival times) once all have it or time is up."""
        self.complete[number] = asyncio.Event()
        from websockets.exceptions import ConnectionClosed

        sent = time.perf_counter()
        try:
            await self.sockets[0].send(self.frame(number))
        except ConnectionClosed as exc:
            self.unexpected.append(f"the sending socket was closed: {exc}")
            return sent, []
        with suppress(TimeoutError):  # the sockets it has not reached count as lost
            await asyncio.wait_for(self.complete[number].wait(), DELIVERY_TIMEOUT)
        return sent, list(self.arrivals.get(number, []))

    async def close(self) -> None:
        for reader in self.readers:
            reader.cancel()
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)


def _ours_frame(number: int) -> str:
    return json.dumps({"type": "post", "body": f"Fan-out check fanout-{number}-end"})


def _baseline_frame(number: int) -> str:
    return f"Fan-out check fanout-{number}-end"


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (``share`` 0.5 for p50), in milliseconds."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))  # ceil without floats drifting
    return round(ordered[int(rank) - 1] * 1000, 2)


async def _run(targets: list[Target], messages: int, rounds: int) -> dict:
    for target in targets:
        await target.open()
    number = 0
    latencies = {t.name: [] for t in targets}
    lost = {t.name: 0 for t in targets}
    paired = []  # per round: {name: latencies}
    try:
        for target in targets:
            for _ in range(WARMUP):
                number += 1
                await target.send(number)
                await asyncio.sleep(GAP)
        shares = [messages // rounds + (1 if r < messages % rounds else 0) for r in range(rounds)]
        for share in shares:
            this_round = {t.name: [] for t in targets}
            for target in targets:
                for _ in range(share):
                    number += 1
                    sent, arrivals = await target.send(number)
                    delays = [a - sent for a in arrivals]
                    this_round[target.name] += delays
                    latencies[target.name] += delays
                    lost[target.name] += len(target.sockets) - len(arrivals)
                    await asyncio.sleep(GAP)
            paired.append(this_round)
        await asyncio.sleep(GAP)  # anything late or doubled arrives now and is caught below
    finally:
        for target in targets:
            await target.close()
    return {"latencies": latencies, "lost": lost, "paired": paired}


# --- the benchmark -------------------------------------------------------------------------------------


def measure(*, clients: int, messages: int, rounds: int, redis_url: str, logs: Path) -> dict:
    """Seed, serve both, connect ``clients`` sockets to each, send ``messages``; the figures as a dict.

    Uses the database Django is configured with (it must be PostgreSQL the servers can reach) and
    ``redis_url`` for both servers' channel layer. Servers' logs go to ``logs``.
    """
    from chat.models import ChatMessage

    rounds = max(1, min(rounds, messages))
    room, cookies = seed(clients)
    logs.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        servers = {}
        group = f"bench.baseline.{uuid.uuid4().hex[:12]}"
        for key, app, extra in (
            ("ours", "cohortnet.asgi:application", None),
            ("baseline", "bench.chat_baseline:application", {"BENCH_CHAT_GROUP": group}),
        ):
            log = logs / f"chat_fanout_{key}.log"
            process, url = start_server(app, log, redis_url, extra)
            stack.callback(stop_server, process)
            servers[key] = (process, url, log)
        for process, _url, log in servers.values():
            wait_until_started(process, log)
        ours = Target(OURS, f"{servers['ours'][1]}/ws/chat/rooms/{room.pk}/", cookies, _ours_frame)
        baseline = Target(BASELINE, servers["baseline"][1] + BASELINE_PATH, [None] * clients, _baseline_frame)
        started = time.perf_counter()
        run = asyncio.run(_run([baseline, ours], messages, rounds))
        seconds = round(time.perf_counter() - started, 1)
    stored = ChatMessage.objects.filter(room=room).count()

    def figures(target: Target) -> dict:
        values = run["latencies"][target.name]
        return {
            "p50_ms": percentile(values, 0.5) if values else None,
            "p99_ms": percentile(values, 0.99) if values else None,
            "max_ms": round(max(values) * 1000, 2) if values else None,
            "deliveries": len(values),
            "lost": run["lost"][target.name],
            "unexpected_frames": len(target.unexpected),
            "unexpected_sample": target.unexpected[:3],
        }

    def ratio(share: float) -> float | None:
        pairs = [r for r in run["paired"] if r[OURS] and r[BASELINE]]
        if not pairs:
            return None
        return round(
            statistics.median(percentile(r[BASELINE], share) / max(percentile(r[OURS], share), 0.01) for r in pairs), 2
        )

    return {
        "clients": clients,
        "messages": messages,
        "rounds": rounds,
        "workers": WORKERS,
        "seconds": seconds,
        "stored_in_room": stored,
        "expected_stored": messages + WARMUP,
        OURS: figures(ours),
        BASELINE: figures(baseline),
        "ratio_p50": ratio(0.5),
        "ratio_p99": ratio(0.99),
    }


def table(result: dict) -> str:
    lines = [
        f"Chat fan-out: {result['clients']} sockets in one room, {result['messages']} messages, each to every socket",
        "",
        "| path | p50 (ms) | p99 (ms) | max (ms) | deliveries | lost | × baseline p50 | × baseline p99 |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name in (BASELINE, OURS):
        r = result[name]
        ratios = ("1.0", "1.0") if name == BASELINE else (result["ratio_p50"], result["ratio_p99"])
        lines.append(
            f"| {name} | {r['p50_ms']} | {r['p99_ms']} | {r['max_ms']} | {r['deliveries']} | {r['lost']} | "
            f"{ratios[0]} | {ratios[1]} |"
        )
    return "\n".join(lines)


def write(result: dict, out: Path) -> None:
    """chat_fanout.json and .md, and the same in latest.json and latest.md (replacing an earlier chat section)."""
    out.mkdir(parents=True, exist_ok=True)
    text = table(result)
    (out / "chat_fanout.json").write_text(json.dumps(result, indent=2))
    (out / "chat_fanout.md").write_text(text + "\n")
    latest_json = out / "latest.json"
    data = json.loads(latest_json.read_text()) if latest_json.exists() else {}
    data["chat_fanout"] = result
    latest_json.write_text(json.dumps(data, indent=2))
    latest_md = out / "latest.md"
    previous = latest_md.read_text() if latest_md.exists() else ""
    previous = previous.split("\nChat fan-out:", 1)[0].rstrip("\n")
    if previous.startswith("Chat fan-out:"):
        previous = ""
    latest_md.write_text((previous + "\n\n" if previous else "") + text + "\n")


def main() -> None:
    def stop(signum, frame):
        raise SystemExit(f"stopped by signal {signum}")  # so the servers are stopped on the way out

    signal.signal(signal.SIGTERM, stop)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cohortnet.settings")
    # Sessions made here must be readable by the servers: one key for both (see start_server).
    os.environ["SECRET_KEY"] = "bench-only-" + "c" * 60
    os.environ["CELERY_BROKER_URL"] = "memory://"
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url or not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        raise SystemExit("The chat benchmark needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL).")

    import django

    django.setup()
    from django.core.management import call_command

    from toolbox.migration_data import restore_migration_data

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    restore_migration_data()
    out = ROOT / "var" / "bench"
    result = measure(clients=CLIENTS, messages=MESSAGES, rounds=ROUNDS, redis_url=redis_url, logs=out / "logs")
    write(result, out)
    print(table(result))
    print(f"  {result['seconds']} s; {result['stored_in_room']} posts stored in the room")
    failures = [
        f"{name}: {result[name]['lost']} deliveries lost, {result[name]['unexpected_frames']} unexpected frames"
        for name in (OURS, BASELINE)
        if result[name]["lost"] or result[name]["unexpected_frames"]
    ]
    if result["stored_in_room"] != result["expected_stored"]:
        failures.append(f"{result['stored_in_room']} posts stored in the room, {result['expected_stored']} expected")
    if failures:
        samples = [s for name in (OURS, BASELINE) for s in result[name]["unexpected_sample"]]
        raise SystemExit(
            "Chat fan-out failed: " + "; ".join(failures) + f". First unexpected: {samples[:2]}."
            f" The servers' logs are in {out / 'logs'}."
        )


if __name__ == "__main__":
    main()
