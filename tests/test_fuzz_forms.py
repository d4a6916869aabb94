"""Generated hostile input for every form people fill in on the site (Hypothesis).

For each form, Hypothesis posts dictionaries of arbitrary Unicode (NUL and
control characters included), strings of a megabyte, script and formula
text, numbers out of range and lists where one value is expected, plus the
fields a form must never bind (``status``, ``organisation``, amounts). The
properties: never a server error; a re-rendered form (200) saved nothing;
what identifies a record (its organisation, call, status) never changes.

Examples are derandomized so CI runs the same ones every time;
``FUZZ_EXAMPLES=500 make test PYTEST_ARGS=tests/test_fuzz_forms.py`` digs deeper.
"""

import os

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applications.models import Application, Score, Transition
from chat.models import ChatMessage
from cohorts.models import ColleagueInvite, Contribution, Message, Organisation, OrganisationPerson, Resource, Theme
from events.models import RSVP, WrittenInput
from funding.models import TimeEntry
from notifications.models import Email
from privacy.models import Consent
from tests.factories import PASSWORD
from tests.helpers import World

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "25")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)

HOSTILE_TEXT = [
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "Tide\r\nBcc: everyone@example.org",
    "nul\x00byte",
    '=HYPERLINK("https://evil.example","x")',
    "x" * 1_000_000,
    "-1",
    "0",
    "1e309",
    "NaN",
    "9" * 40,
    "20000.01",
    "2026-02-30",
    "ﾟ･✿ヾ╲(｡◕‿◕｡)╱✿･ﾟ",
]
VALUE = st.one_of(st.text(max_size=200), st.sampled_from(HOSTILE_TEXT), st.integers().map(str))
FIELD = st.one_of(VALUE, st.lists(VALUE, min_size=2, max_size=3))
# Never bound by any form: posting them must change nothing they name.
FORBIDDEN = ["status", "organisation", "call", "created_by", "amount", "committed", "is_staff", "user"]


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return World(application_status="draft")


def _theme() -> str:
    return str(Theme.objects.order_by("position").first().pk)


def _review(w) -> dict:
    criterion = w.assignment.application.call.criteria.get()
    return {
        "recommendation": "accept",
        "comment": "Strong",
        f"score_{criterion.pk}": "4",
        f"comment_{criterion.pk}": "",
    }


def _counts(models) -> list[int]:
    return [model.objects.count() for model in models]


# (name, URL from the world, a valid filling, the records a refused form must not have written).
# Hypothesis replaces some of the valid fields with hostile values and adds others, so a bad value
# reaches the service and the database, not only the first field check.
FORMS = [
    (
        "organisation",
        lambda w: reverse("cohorts:organisation_create"),
        {"name": "Tide Data", "website": "https://tide.example", "country": "GB", "legal_form": "", "year_founded": "",
         "staff_size": "", "description": "", "open_data": "Tide gauges", "licences": "", "access_methods": "api",
         "reach": ""},
        [Organisation, OrganisationPerson],
    ),
    (
        "thread",
        lambda w: reverse("cohorts:messages", args=[w.participant.membership.cohort.slug]),
        {"subject": "Hello", "body": "Hi all"},
        [Message, Email],
    ),
    (
        "resource",
        lambda w: reverse("cohorts:resources", args=[w.participant.membership.cohort.slug]),
        lambda w: {"title": "Guide", "description": "", "url": "https://example.org/guide", "themes": _theme()},
        [Resource],
    ),
    (
        "contribution",
        lambda w: reverse("cohorts:contributions", args=[w.participant.membership.cohort.slug]),
        lambda w: {"theme": _theme(), "learnings": "We learned to publish daily.", "credit": "named"},
        [Contribution],
    ),
    ("rsvp", lambda w: reverse("events:rsvp", args=[w.event.pk]), {"answer": "going"}, [RSVP]),
    ("written input", lambda w: reverse("events:written_input", args=[w.event.pk]), {"body": "Our"}, [WrittenInput]),
    (
        "time entry",
        lambda w: w.award.get_absolute_url(),
        {"date": "2026-11-20", "hours": "2.5", "activity": "Roundtable", "event": ""},
        [TimeEntry],
    ),
    ("profile", lambda w: reverse("profile"), {"name": "Ada", "time_zone": "Europe/London"}, []),
    (
        "reply",
        lambda w: reverse("cohorts:thread", args=[w.participant.membership.cohort.slug, w.thread.pk]),
        {"body": "Thanks"},
        [Message, Email],
    ),
    (
        "preferences",
        lambda w: reverse("cohorts:preferences", args=[w.participant.membership.cohort.slug]),
        {"delivery": "each", "show_contact_details": ""},
        [],
    ),
    (
        "colleague invite",
        lambda w: reverse("cohorts:organisation_detail", args=[w.participant.membership.organisation.pk]),
        {"email": "colleague@example.org"},
        [ColleagueInvite, Email],
    ),
    (
        "start application",
        lambda w: reverse("applications:start", args=[w.other_call.slug]),
        lambda w: {"organisation": str(w.participant.membership.organisation.pk)},
        [Application],
    ),
    ("withdraw", lambda w: reverse("applications:withdraw", args=[w.application.pk]), {"note": "No"}, [Transition]),
    ("review", lambda w: reverse("applications:review", args=[w.assignment.pk]), _review, [Score], "reviewer"),
    ("conflict", lambda w: reverse("applications:review_conflict", args=[w.assignment.pk]), {"note": "Ex-colleague"},
     [], "reviewer"),
    (
        "chat",
        lambda w: reverse("chat:general_room", args=[w.participant.membership.cohort.slug]),
        {"body": "Hello @everyone"},
        [ChatMessage, Email],
    ),
    ("choices", lambda w: reverse("privacy:choices"), {"consent_directory": "on"}, [Consent]),
    (
        "sign-up",
        lambda w: reverse("account_signup"),
        {"name": "New Person", "email": "new.person@example.org", "password1": PASSWORD, "password2": PASSWORD},
        [get_user_model()],
        "anonymous",
    ),
]  # fmt: skip


@pytest.mark.parametrize("form", FORMS, ids=[f[0] for f in FORMS])
def test_generated_input_never_breaks_a_form_and_a_refused_form_saves_nothing(client, world, form):
    _, url, valid, models, who = (*form, "participant")[:5]
    user = world.assignment.reviewer if who == "reviewer" else world.participant.user
    if who != "anonymous":
        client.force_login(user)
    path = url(world)
    valid = valid(world) if callable(valid) else valid
    # The valid filling is accepted as it is: the fuzzing below then starts from a form that works.
    before = _counts(models)
    assert client.post(path, valid).status_code == 302
    assert not models or _counts(models) != before

    @FUZZ
    @given(data=st.fixed_dictionaries({}, optional={f: FIELD for f in [*valid, *FORBIDDEN]}))
    def check(data):
        before = _counts(models)
        user.refresh_from_db()
        profile_before = (user.name, user.time_zone)
        response = client.post(path, {**valid, **data})
        assert response.status_code in (200, 302, 400, 404, 429), response.status_code
        if response.status_code != 302:
            assert _counts(models) == before
            user.refresh_from_db()
            assert (user.name, user.time_zone) == profile_before

    check()


@pytest.mark.parametrize("view", ["applications:edit", "applications:autosave"])
def test_generated_answers_never_break_the_application_or_move_it(client, world, view):
    application = world.application
    client.force_login(world.participant.user)
    path = reverse(view, args=[application.pk])
    valid = {"data_stewarded": "Tide gauges", "licence": "CC BY 4.0", "sustainability": "Grants",
             "contribution": "Our tooling", "time_commitment": "Two days a month", "funding_requested": "15000",
             "consent_to_publish": "on", "themes": str(Theme.objects.first().pk)}  # fmt: skip

    headers = {"HX-Request": "true"} if view.endswith("autosave") else {}

    @FUZZ
    @given(data=st.fixed_dictionaries({}, optional={f: FIELD for f in [*valid, "submit_application", *FORBIDDEN]}))
    def check(data):
        response = client.post(path, {**valid, **data}, headers=headers)
        # 400: a body over DATA_UPLOAD_MAX_MEMORY_SIZE (the fields themselves stop at 5,000 characters).
        assert response.status_code in (200, 302, 400), response.status_code
        saved = Application.objects.get(pk=application.pk)
        assert (saved.call_id, saved.organisation_id, saved.created_by_id) == (
            application.call_id, application.organisation_id, application.created_by_id,
        )  # fmt: skip
        assert saved.status in ("draft", "submitted")
        if saved.funding_requested is not None:
            assert 0 < saved.funding_requested <= 20000

    check()
