"""The open call page tells the whole story (issue 15): sections, timeline, FAQ, the apply path; list and landing."""

import re
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from applications.models import FaqItem, OpenCall
from cohorts.models import Theme
from tests.factories import CohortFactory, OpenCallFactory
from tests.test_admin_refusals import admin_form_data, refused
from toolbox.timezones import BROWSER_ZONE_COOKIE, in_zone

pytestmark = pytest.mark.django_db

CLOSES = datetime(2026, 8, 31, 22, 59, tzinfo=UTC)  # 23:59 BST
OPEN = CLOSES - timedelta(days=1)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def headings(content: str, level: int = 2) -> list[str]:
    return [_text(inner) for inner in re.findall(rf"<h{level}\b[^>]*>(.*?)</h{level}>", content, re.S)]


def timeline(content: str) -> list[str]:
    block = re.search(r'<ol class="call-timeline[^"]*">(.*?)</ol>', content, re.S).group(1)
    return [_text(item) for item in re.findall(r"<li\b[^>]*>(.*?)</li>", block, re.S)]


def _story_call(**overrides) -> OpenCall:
    fields = {
        "cohort": CohortFactory(name="Cohort 3", starts_on=date(2026, 10, 1), ends_on=date(2027, 3, 31)),
        "title": "Cohort 3: open data stewards",
        "opens_at": CLOSES - timedelta(days=30),
        "closes_at": CLOSES,
        "description": "We run a **peer learning** network.\n\n# Why",
        "eligibility": "- Mature organisations\n- Stewarding open data",
        "members_get": "Up to **£20,000** for your time.",
        "members_give": "A chapter of the *published output*.",
        "decisions_by": date(2026, 9, 21),
    }
    fields.update(overrides)
    call = OpenCallFactory(**fields)
    if "themes" not in overrides:
        call.themes.set(Theme.objects.filter(slug__in=["sustainability", "barriers-to-publishing"]))
    FaqItem.objects.create(call=call, position=2, question="Can we apply twice?", answer="No: *one* per call.")
    FaqItem.objects.create(call=call, position=1, question="Who decides?", answer="Programme staff, with reviewers.")
    return call


def _get(client, call, at=OPEN):
    with time_machine.travel(at, tick=False):
        response = client.get(call.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_the_call_page_shows_every_section_of_the_story_in_order(client):
    content = _get(client, _story_call())
    assert headings(content) == [
        "At a glance",
        "About the programme",
        "Themes the cohort works on",
        "What members get",
        "What members give",
        "Who can apply",
        "Timeline",
        "How to apply",
        "Frequently asked questions",
    ]


def test_call_content_is_rendered_from_markdown_with_headings_under_the_sections(client):
    content = _get(client, _story_call())
    assert '<p>We run a <strong>peer learning</strong> network.</p>\n<h3 class="h5">Why</h3>' in content
    assert "<ul>\n<li>Mature organisations</li>\n<li>Stewarding open data</li>\n</ul>" in content
    assert "<p>Up to <strong>£20,000</strong> for your time.</p>" in content
    assert "<p>A chapter of the <em>published output</em>.</p>" in content
    assert headings(content, 1) == ["Cohort 3: open data stewards"]


def test_themes_are_shown_with_their_colour_and_description(client):
    Theme.objects.filter(slug="sustainability").update(colour="amber", description="Paying for open data.")
    Theme.objects.filter(slug="barriers-to-publishing").update(colour="indigo", description="What stops publishing.")
    content = _get(client, _story_call())
    assert headings(content, 3) == [
        "Why",
        "Barriers to publishing high-quality open data",
        "Sustainability and revenue models",
    ]
    assert '<span class="theme-badge theme-indigo">Barriers to publishing high-quality open data</span>' in content
    assert '<span class="theme-badge theme-amber">Sustainability and revenue models</span>' in content
    assert '<div class="cn-card theme-card theme-amber h-100 p-3">' in content
    assert '<p class="mb-0">Paying for open data.</p>' in content


def test_the_timeline_runs_from_closing_to_decisions_to_the_cohort(client):
    assert timeline(_get(client, _story_call())) == [
        "Call closes Mon 31 Aug 2026, 23:59 BST (Europe/London)",
        "Decisions Every applicant hears from us by 21 September 2026",
        "Cohort starts 1 October 2026",
        "Cohort ends 31 March 2027",
    ]


def test_an_upcoming_call_starts_its_timeline_with_the_opening(client):
    call = _story_call()
    content = _get(client, call, at=call.opens_at - timedelta(days=1))
    assert [item.split(" ", 2)[:2] for item in timeline(content)][:2] == [["Call", "opens"], ["Call", "closes"]]


def test_the_closing_time_is_also_given_in_the_viewers_time_when_it_differs(client):
    client.cookies[BROWSER_ZONE_COOKIE] = "Asia/Tokyo"
    content = _get(client, _story_call())
    assert timeline(content)[0] == (
        "Call closes Mon 31 Aug 2026, 23:59 BST (Europe/London) Tue 1 Sep, 07:59 JST, your time"
    )


def test_the_faq_lists_questions_by_position_as_disclosures(client):
    content = _get(client, _story_call())
    summaries = re.findall(r"<details[^>]*>\s*<summary[^>]*>(.*?)</summary>", content, re.S)
    assert summaries == ["Who decides?", "Can we apply twice?"]
    assert "<p>No: <em>one</em> per call.</p>" in content


def test_an_open_call_shows_one_apply_now_button_and_the_four_steps(client):
    call = _story_call()
    content = _get(client, call)
    start = reverse("applications:start", args=[call.slug])
    assert content.count(">Apply now</a>") == 1
    assert f'<a class="btn btn-primary btn-lg w-100" href="{start}">' in content
    steps = re.search(r'<ol class="apply-steps[^"]*">(.*?)</ol>', content, re.S).group(1)
    assert [_text(step) for step in re.findall(r"<li[^>]*>(.*?)</strong>", steps)] == [
        "1 Create an account",
        "2 Add your organisation",
        "3 Fill in the form, saved as you go.",
        "4 Submit before the deadline",
    ]


def test_a_closed_call_says_so_and_has_no_apply_button_or_steps(client):
    call = _story_call()
    content = _get(client, call, at=CLOSES + timedelta(seconds=1))
    assert "This opportunity is now closed." in content
    assert "<strong>Applications are closed.</strong> This call no longer accepts applications." in content
    assert "Apply now" not in content
    assert reverse("applications:start", args=[call.slug]) not in content
    assert "How to apply" not in headings(content)


def test_an_upcoming_call_says_when_to_come_back_and_has_no_apply_button(client):
    call = _story_call()
    content = _get(client, call, at=call.opens_at - timedelta(days=1))
    assert "<strong>Applications open on Sat 1 Aug 2026, 23:59 BST (Europe/London).</strong> Come back then" in content
    assert "Apply now" not in content
    assert reverse("applications:start", args=[call.slug]) not in content


def test_sections_without_content_are_hidden(client):
    call = OpenCallFactory(opens_at=CLOSES - timedelta(days=30), closes_at=CLOSES, description="")
    content = _get(client, call)
    assert headings(content) == ["At a glance", "Who can apply", "Timeline", "How to apply"]
    assert [item.split(" ")[0:2] for item in timeline(content)] == [
        ["Call", "closes"],
        ["Cohort", "starts"],
        ["Cohort", "ends"],
    ]


def test_hostile_markdown_in_call_content_is_rendered_harmless(client):
    call = _story_call(
        description='<script>alert(1)</script>\n\n[x](javascript:alert(2))\n\n<img src=x onerror="alert(3)">',
        members_get="![tracker](https://evil.example/t.png) [ok](https://example.org)",
    )
    content = _get(client, call)
    assert "<script>alert" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert 'href="javascript:' not in content
    assert "<img src=x" not in content
    assert '<p>&lt;img src=x onerror="alert(3)"&gt;</p>' in content  # shown as text, never an element
    assert "evil.example" not in content
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer">ok</a>' in content


# --- The list of calls and the landing page ---------------------------------------------------------------------


def test_the_call_list_shows_each_calls_state_summary_and_themes(client):
    open_call = _story_call(title="Open one", summary="Join cohort 3.")
    OpenCallFactory(title="Later one", opens_at=CLOSES + timedelta(days=5), closes_at=CLOSES + timedelta(days=40))
    OpenCallFactory(title="Old one", opens_at=CLOSES - timedelta(days=90), closes_at=CLOSES - timedelta(days=60))
    with time_machine.travel(OPEN, tick=False):
        content = client.get(reverse("applications:call_list")).content.decode()
    cards = re.findall(r"<article class=\"cn-card cn-card-link call-card.*?</article>", content, re.S)
    assert [re.search(r'state-badge state-(\w+)">(.*?)<', card).groups() for card in cards] == [
        ("open", "Open"),
        ("upcoming", "Opens soon"),
        ("closed", "Closed"),
    ]
    assert [_text(re.search(r'call-card-when">(.*?)</p>', card, re.S).group(1)) for card in cards] == [
        "Open until Mon 31 Aug 2026, 23:59 BST (Europe/London)",
        "Opens Sat 5 Sep 2026, 23:59 BST (Europe/London)",
        "Closed Thu 2 Jul 2026, 23:59 BST (Europe/London)",
    ]
    assert '<p class="mb-2">Join cohort 3.</p>' in cards[0]
    assert re.findall(r'<li class="theme-badge theme-\w+">(.*?)</li>', cards[0]) == [
        "Barriers to publishing high-quality open data",
        "Sustainability and revenue models",
    ]
    assert f'href="{open_call.get_absolute_url()}"' in cards[0]


def test_the_call_list_says_when_the_next_call_opens_when_none_is_open(client):
    OpenCallFactory(opens_at=CLOSES + timedelta(days=5), closes_at=CLOSES + timedelta(days=40))
    with time_machine.travel(OPEN, tick=False):
        content = client.get(reverse("applications:call_list")).content.decode()
    assert "No call is open right now. The next one opens on Sat 5 Sep 2026, 23:59 BST (Europe/London)." in content


def test_the_call_list_without_calls_says_what_to_do(client):
    content = client.get(reverse("applications:call_list")).content.decode()
    assert "No calls yet When the programme opens a call" in _text(content)
    assert "When the programme opens a call to join its next cohort, it appears here" in content
    assert f'href="{reverse("home")}">About the programme</a>' in content


@pytest.mark.parametrize("rows", [1, 20])
def test_the_call_list_costs_the_same_queries_for_1_or_20_calls(client, django_assert_num_queries, rows):
    themes = list(Theme.objects.all())
    for _ in range(rows):
        OpenCallFactory().themes.set(themes)
    with django_assert_num_queries(2):
        response = client.get(reverse("applications:call_list"))
    assert len(response.context["calls"]) == rows


def test_the_landing_page_shows_open_calls_as_cards(client):
    _story_call(title="Open one")
    with time_machine.travel(OPEN, tick=False):
        content = client.get(reverse("home")).content.decode()
    assert '<h3 class="h5 mb-1"><a class="stretched-link" href="/calls/' in content
    assert ">Open one</a></h3>" in content
    assert "Open until Mon 31 Aug 2026, 23:59 BST (Europe/London)" in _text(content)


def test_the_landing_page_without_an_open_call_says_where_to_look(client):
    content = client.get(reverse("home")).content.decode()
    assert "No call is open at the moment" in content
    assert f'href="{reverse("applications:call_list")}">See past and upcoming calls</a>' in content


# --- Staff write the story in the admin ------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, staff):
    return client


def _inline_management(prefix: str, total: int) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_staff_add_a_call_with_its_story_and_faq_through_the_admin(staff_client, client):
    cohort = CohortFactory()
    themes = list(Theme.objects.filter(slug__in=["sustainability", "collaborative-data"]))
    data = {
        "cohort": str(cohort.pk),
        "title": "Cohort 4",
        "slug": "cohort-4",
        "summary": "Join us.",
        "funding_cap": "20000.00",
        "description": "<script>alert(1)</script> **Six months**",
        "eligibility": "Stewards of open data.",
        "themes": [str(t.pk) for t in themes],
        "members_get": "[grant](javascript:alert(1))",
        "members_give": "Time.",
        "opens_at_0": "01/08/2026",
        "opens_at_1": "09:00",
        "closes_at_0": "31/08/2026",
        "closes_at_1": "23:59",
        "decisions_by": "21/09/2026",
        "review_deadline_0": "",
        "review_deadline_1": "",
        "time_zone": "Europe/London",
        **_inline_management("faq_items", 2),
        "faq_items-0-position": "1",
        "faq_items-0-question": "How much?",
        "faq_items-0-answer": "Up to **£20,000**.",
        "faq_items-1-position": "2",
        "faq_items-1-question": "Is it <b>open</b>?",
        "faq_items-1-answer": '<iframe src="https://evil.example"></iframe>Yes.',
        **_inline_management("questions", 0),
        **_inline_management("criteria", 0),
        **_inline_management("decision_templates", 0),
    }
    response = staff_client.post(reverse("admin:applications_opencall_add"), data)
    assert response.status_code == 302
    call = OpenCall.objects.get(slug="cohort-4")
    assert call.closes_at == CLOSES
    assert call.decisions_by == date(2026, 9, 21)
    assert sorted(call.themes.values_list("slug", flat=True)) == ["collaborative-data", "sustainability"]
    assert call.description == "<script>alert(1)</script> **Six months**"  # stored as typed
    assert list(call.faq_items.values_list("question", "answer")) == [
        ("How much?", "Up to **£20,000**."),
        ("Is it <b>open</b>?", '<iframe src="https://evil.example"></iframe>Yes.'),
    ]
    content = _get(client, call, at=OPEN)
    assert "<p>&lt;script&gt;alert(1)&lt;/script&gt; <strong>Six months</strong></p>" in content
    assert "<p>[grant](javascript:alert(1))</p>" in content
    assert '<summary class="px-3 py-2 fw-semibold">Is it &lt;b&gt;open&lt;/b&gt;?</summary>' in content
    assert "<iframe" not in content
    assert '<p>&lt;iframe src="https://evil.example"&gt;&lt;/iframe&gt;Yes.</p>' in content


def test_staff_add_an_faq_item_to_an_existing_call(staff_client):
    call = OpenCallFactory()
    url = reverse("admin:applications_opencall_change", args=[call.pk])
    page = staff_client.get(url)
    assert "Markdown is accepted" in page.content.decode()
    data = admin_form_data(page)
    data.update({"faq_items-TOTAL_FORMS": "1", "faq_items-0-position": "0"})
    data.update({"faq_items-0-question": "When do we hear?", "faq_items-0-answer": "By *September*."})
    assert staff_client.post(url, data).status_code == 302
    assert list(call.faq_items.values_list("question", "answer")) == [("When do we hear?", "By *September*.")]


def test_a_decisions_date_before_the_call_closes_is_refused_on_the_form(staff_client):
    call = OpenCallFactory(opens_at=CLOSES - timedelta(days=30), closes_at=CLOSES)
    url = reverse("admin:applications_opencall_change", args=[call.pk])
    data = admin_form_data(staff_client.get(url))
    data["decisions_by"] = "30/08/2026"
    response = staff_client.post(url, data)
    assert refused(response) == ["decisions_by: Decisions cannot come before the call closes: pick a later date."]
    call.refresh_from_db()
    assert call.decisions_by is None


# --- The demo call tells the story too ---------------------------------------------------------------------------


def test_the_demo_call_has_the_whole_story_and_its_themes_distinct_colours(client, settings):
    settings.DEBUG = True  # seed_demo refuses to run with DEBUG off
    call_command("seed_demo", stdout=StringIO())
    call = OpenCall.objects.get(slug="cohort-3-open-call")
    assert sorted(call.themes.values_list("colour", flat=True)) == ["amber", "indigo", "rose", "teal"]
    assert call.faq_items.count() == 6
    assert call.decisions_by == in_zone(call.closes_at, call.time_zone).date() + timedelta(days=24)
    content = client.get(call.get_absolute_url()).content.decode()
    assert headings(content) == [
        "At a glance",
        "About the programme",
        "Themes the cohort works on",
        "What members get",
        "What members give",
        "Who can apply",
        "Timeline",
        "How to apply",
        "Frequently asked questions",
    ]
    assert [item.split(" ")[0:2] for item in timeline(content)] == [
        ["Call", "closes"],
        ["Decisions", "Every"],
        ["Cohort", "starts"],
        ["Cohort", "ends"],
    ]


# --- In Chromium: a phone and a laptop, keyboard only, axe and the CSP ------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 800)])
def test_the_call_page_reads_well_on_a_phone_and_a_laptop_and_works_by_keyboard(live_server, browser, width, height):
    from playwright.sync_api import expect

    from tests.e2e.helpers import severe_violations

    call = _story_call(opens_at=timezone.now() - timedelta(days=1), closes_at=timezone.now() + timedelta(days=20))
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(10_000)
    page = context.new_page()
    refused = []
    page.on("console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.goto(f"{live_server.url}{call.get_absolute_url()}")

    apply_now = page.get_by_role("link", name="Apply now")
    expect(apply_now).to_be_visible()
    # Nothing is wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if width < 992:
        # On a phone the way to apply comes before the long read.
        about = page.get_by_role("heading", name="About the programme")
        assert apply_now.bounding_box()["y"] < about.bounding_box()["y"]

    # The FAQ opens from the keyboard: focus the question, press Enter.
    question = page.locator("summary", has_text="Who decides?")
    answer = page.get_by_text("Programme staff, with reviewers.")
    expect(answer).to_be_hidden()
    question.focus()
    page.keyboard.press("Enter")
    expect(answer).to_be_visible()

    # Tab reaches Apply now, and Enter follows it.
    page.goto(f"{live_server.url}{call.get_absolute_url()}")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Apply now":
            break
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/calls/"))

    page.goto(f"{live_server.url}{call.get_absolute_url()}")
    assert severe_violations(page) == []
    for path in [reverse("applications:call_list"), reverse("home")]:
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert severe_violations(page) == []
    assert refused == []
    context.close()
