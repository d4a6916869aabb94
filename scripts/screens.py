"""Screenshots of the main pages, at desktop and phone width: ``make screens`` writes docs/screens/*.png.

So a reader of the repository sees the product without running it. The pages
are those of the demo data (``seed_demo``) on a throwaway SQLite database in a
temporary folder, served by uvicorn (as ``make run`` does) on a free port and visited
in the system Chromium (``/usr/bin/chromium``, or ``CHROMIUM_PATH``) as the
demo people would: a visitor, the applicant (who starts an application and
submits it too early, to show the error summary) and a participant (also from
a browser in Tokyo, to show the offer of the browser's time zone).

Each page is written as ``docs/screens/<nn>-<page>-desktop.png`` (1280 wide)
and ``…-phone.png`` (390 wide): the top of the page, at most 1,600 pixels
(desktop) or 2,000 (phone) tall, to keep the files small. Nothing here touches
the database or the broker that DATABASE_URL or REDIS_URL name.

    .venv/bin/python scripts/screens.py [--only NAME ...] [--keep]
"""

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screens"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# The demo's published password and people (cohortnet/management/commands/seed_demo.py).
DEMO_PASSWORD = "cohortnet-demo-2026"  # noqa: S105 -- the demo's, printed by make run
APPLICANT = "applicant@example.org"
PARTICIPANT = "participant@example.org"
COHORT = "cohort-2"  # the demo's running cohort
CALL = "cohort-3-open-call"  # and its open call

WIDTHS = {"desktop": (1280, 800, 1600), "phone": (390, 844, 2000)}  # width, viewport height, most pixels kept


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(folder: Path, port: int) -> dict:
    """The environment of a local demo site: its own SQLite file, no broker, no Redis, emails to the log."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}}
    env.update(
        DATABASE_URL=f"sqlite:///{folder / 'screens.sqlite3'}",
        CELERY_BROKER_URL="memory://",
        CELERY_TASK_ALWAYS_EAGER="true",
        EMAIL_URL="consolemail://",
        DEBUG="true",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PORT=str(port),
        SITE_URL=f"http://127.0.0.1:{port}",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env: dict, log, *args: str) -> None:
    subprocess.run(  # noqa: S603 -- our own manage.py with fixed arguments
        [sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env, stdout=log, stderr=log, check=True
    )


def wait_for(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the demo server stopped (exit {server.returncode}); see its log")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 -- our own local server
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError(f"the demo server did not answer {url} within {seconds:.0f}s")


class Camera:
    """Writes one page at both widths, and remembers what could not be taken."""

    def __init__(self, only: set[str]):
        self.only = only
        self.written: list[Path] = []
        self.failed: list[str] = []

    def wanted(self, name: str) -> bool:
        return not self.only or name in self.only

    def shoot(self, page, name: str, *, widths=("desktop", "phone"), reload: bool = True) -> None:
        """Both widths of the page as it is; ``reload=False`` for a page that is the answer to a POST."""
        for width in widths:
            w, h, most = WIDTHS[width]
            page.set_viewport_size({"width": w, "height": h})
            if reload:
                page.reload()
            page.wait_for_load_state("networkidle")
            page.evaluate("window.scrollTo(0, 0)")
            full = page.evaluate("Math.ceil(document.documentElement.scrollHeight)")
            path = OUT / f"{name}-{width}.png"
            page.screenshot(
                path=path,
                full_page=True,
                clip={"x": 0, "y": 0, "width": w, "height": min(full, most)},
                animations="disabled",
                caret="hide",
            )
            self.written.append(path)

    def take(self, name: str, action) -> None:
        if not self.wanted(name):
            return
        try:
            action(name)
        except Exception as exc:  # noqa: BLE001 -- reported, and the run fails at the end
            self.failed.append(f"{name}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name=re.compile(r"^sign in$", re.I)).click()
    page.wait_for_url(re.compile(r"/dashboard/"))


def new_page(browser, zone: str = "Europe/London"):
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, device_scale_factor=1, timezone_id=zone, locale="en-GB"
    )
    context.set_default_timeout(15_000)
    return context.new_page()


def visitor(browser, base: str, camera: Camera) -> None:
    page = new_page(browser)

    def home(name):
        page.goto(f"{base}/")
        camera.shoot(page, name)

    def call(name):
        page.goto(f"{base}/calls/{CALL}/")
        camera.shoot(page, name)

    camera.take("01-home", home)
    camera.take("02-open-call", call)
    page.context.close()


def applicant(browser, base: str, camera: Camera) -> None:
    """The demo applicant starts an application, asks for too much funding, then fixes it and submits."""
    if not camera.wanted("03-application-errors") and not camera.wanted("04-application-submitted"):
        return
    page = new_page(browser)
    sign_in(page, base, APPLICANT)

    def form_with_errors(name):
        page.goto(f"{base}/calls/{CALL}/")
        page.get_by_role("link", name="Apply now").first.click()
        page.get_by_role("button", name="Start the application").click()
        page.get_by_label("The open data you steward, and who uses it").fill(
            "Open tide tables and harbour traffic counts for 40 small ports, used by harbour masters and sailors."
        )
        page.get_by_label("How the work is sustained (revenue model)").fill(
            "A paid API for shipping companies beside free bulk downloads."
        )
        page.get_by_label("What you can contribute to the other organisations").fill(
            "How we run volunteer tide-gauge surveys."
        )
        page.get_by_label("Time you can commit between the cohort's start and end").fill("Two days a month")
        page.get_by_label("Sustainability and revenue models").check()
        page.get_by_label("Funding requested").fill("25000")
        page.get_by_label("We agree to contribute to the programme's published output").check()
        for width in ("desktop", "phone"):  # the answer to a POST: submitted again at each width
            w, h, _most = WIDTHS[width]
            page.set_viewport_size({"width": w, "height": h})
            page.get_by_role("button", name="Submit application").click()
            expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_focused()
            camera.shoot(page, name, widths=(width,), reload=False)

    def submitted(name):
        page.set_viewport_size({"width": 1280, "height": 800})
        page.get_by_label("The open licence(s) the data is published under").fill("ODbL 1.0")
        page.get_by_label("Funding requested").fill("18000")
        for question in page.get_by_role("group", name="Do you publish an API?").all():
            question.get_by_label("Yes").check()
        page.get_by_role("button", name="Submit application").click()
        expect(page.get_by_role("status").filter(has_text="We received it on")).to_be_visible()
        camera.shoot(page, name)

    camera.take("03-application-errors", form_with_errors)
    camera.take("04-application-submitted", submitted)
    page.context.close()


def participant(browser, base: str, camera: Camera) -> None:
    screens = ("05-participant-home", "06-cohort-home", "07-event", "08-directory", "09-resources", "10-messages")
    if not any(camera.wanted(name) for name in (*screens, "11-chat")):
        return
    page = new_page(browser)
    sign_in(page, base, PARTICIPANT)

    def visit(path):
        def action(name):
            page.goto(f"{base}{path}")
            camera.shoot(page, name)

        return action

    def event(name):
        # The home's next event, once the participant has said they are going.
        page.goto(f"{base}/dashboard/")
        href = page.locator("main a[href*='/events/']").first.get_attribute("href")
        page.goto(f"{base}{href}")
        page.get_by_role("region", name="Your answer").get_by_role("button", name="Going", exact=True).click()
        expect(page.get_by_text("You are going to")).to_be_visible()
        camera.shoot(page, name)

    def chat(name):
        page.goto(f"{base}/cohorts/{COHORT}/chat/general/")
        composer = page.get_by_role("textbox", name="Message", exact=True)
        composer.fill("Hello from Ledgerlight! Is anyone else writing licence notes this week?")
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_text("Is anyone else writing licence notes this week?").first).to_be_visible()
        camera.shoot(page, name)

    camera.take("05-participant-home", visit("/dashboard/"))
    camera.take("06-cohort-home", visit(f"/cohorts/{COHORT}/"))
    camera.take("07-event", event)
    camera.take("08-directory", visit(f"/cohorts/{COHORT}/members/"))
    camera.take("09-resources", visit(f"/cohorts/{COHORT}/resources/"))
    camera.take("10-messages", visit(f"/cohorts/{COHORT}/messages/"))
    camera.take("11-chat", chat)
    page.context.close()


def traveller(browser, base: str, camera: Camera) -> None:
    """The participant signs in from a browser in Tokyo: the zone is offered, and "your time" shown beside times."""
    if not camera.wanted("12-time-zone-offer"):
        return
    page = new_page(browser, zone="Asia/Tokyo")
    sign_in(page, base, PARTICIPANT)

    def offer(name):
        expect(page.get_by_role("region", name="Your time zone")).to_be_visible()
        camera.shoot(page, name)

    camera.take("12-time-zone-offer", offer)
    page.context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=[], help="only these screens, e.g. 07-event")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, server log)")
    options = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH).")
        return 1

    folder = Path(tempfile.mkdtemp(prefix="cohortnet-screens-"))
    port = free_port()
    env = server_environment(folder, port)
    base = f"http://127.0.0.1:{port}"
    camera = Camera(set(options.only))
    OUT.mkdir(parents=True, exist_ok=True)
    server = None
    with open(folder / "server.log", "w") as log:
        try:
            print("Demo data on a throwaway SQLite database…")
            manage(env, log, "migrate", "--noinput")
            manage(env, log, "seed_demo")
            # Served as make run serves it (uvicorn, ASGI), so the chat room's socket connects too.
            server = subprocess.Popen(  # noqa: S603 -- our own app with fixed arguments
                [
                    *(sys.executable, "-m", "uvicorn", "cohortnet.asgi:application"),
                    *("--host", "127.0.0.1", "--port", str(port), "--lifespan", "off"),
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=log,
            )
            wait_for(f"{base}/healthz/", server)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
                )
                for person in (visitor, applicant, participant, traveller):
                    person(browser, base, camera)
                browser.close()
        except subprocess.CalledProcessError as exc:
            camera.failed.append(f"setting up the demo: {exc}; see {folder / 'server.log'}")
            options.keep = True
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=10)
    for path in camera.written:
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size // 1024} KB)")
    if camera.failed:
        print("Could not take:", *camera.failed, sep="\n  ")
        print(f"The demo server's log: {folder / 'server.log'}")
        return 1
    if not options.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
