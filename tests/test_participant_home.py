"""A participant's home: the next event and its join link, answers still needed, unread threads,
contributions due, the latest resources; and read tracking behind the unread threads."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts import services
from cohorts.models import Contribution, Message, Theme, ThreadRead
from events.models import RSVP, Event
from tests.factories import (
    ApplicationFactory,
    EventFactory,
    MembershipFactory,
    OrganisationPersonFactory,
    ParticipantFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
#: 14:00 in London on Tuesday 3 November 2026 (GMT, so 14:00 UTC).
STARTS = datetime(2026, 11, 3, 14, 0, tzinfo=UTC)
JOIN = "https://meet.example/roundtable-barriers"


@pytest.fixture
def maya(client):
    participant = ParticipantFactory(
        user__name="Maya Okafor",
        user__email="maya@riverdata.example",
        membership__organisation__name="River Data Trust",
    )
    client.force_login(participant.user)
    client.participant = participant
    client.cohort = participant.membership.cohort
    return client


def _home(client) -> str:
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def _section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    end = html.find("</section>", start)
    return html[start:end]


# --- The next event and its join link ----------------------------------------------------


def _next_event(cohort, **kwargs):
    starts = kwargs.pop("starts_at", STARTS)
    values = {
        "cohort": cohort,
        "title": "Roundtable: barriers to publishing",
        "starts_at": starts,
        "ends_at": starts + timedelta(minutes=90),
        "time_zone": "Europe/London",
        "online_url": JOIN,
    }
    return EventFactory(**(values | kwargs))


def test_the_home_greets_by_name_and_shows_the_next_event_in_its_zone(maya):
    _next_event(maya.cohort)
    EventFactory(cohort=maya.cohort, title="Later workshop", starts_at=STARTS + timedelta(days=5))
    with time_machine.travel(NOW, tick=False):
        html = _home(maya)
    assert "<h1>Welcome back, Maya</h1>" in html
    section = _section(html, "next-event-heading")
    assert "Roundtable: barriers to publishing" in section
    assert "Tue 3 Nov 2026, 14:00 GMT (Europe/London)" in section
    assert "Later workshop" not in section
    assert "maya@riverdata.example" not in html.replace('href="mailto:', "")


def test_the_next_event_shows_the_viewers_own_time_when_their_zone_differs(maya):
    maya.participant.user.time_zone = "America/New_York"
    maya.participant.user.save()
    _next_event(maya.cohort)
    with time_machine.travel(NOW, tick=False):
        section = _section(_home(maya), "next-event-heading")
    assert "Tue 3 Nov, 09:00 EST, your time" in section


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        (STARTS - timedelta(minutes=31), False),  # before the window
        (STARTS - timedelta(minutes=30), True),  # the window opens
        (STARTS + timedelta(minutes=45), True),  # under way
        (STARTS + timedelta(minutes=90), False),  # over: the next event takes its place
    ],
)
def test_the_join_button_shows_to_someone_going_only_near_the_start(maya, moment, shown):
    event = _next_event(maya.cohort)
    RSVP.objects.create(event=event, user=maya.participant.user, status=RSVP.Status.GOING)
    with time_machine.travel(moment, tick=False):
        html = _home(maya)
    assert (f'href="{JOIN}"' in html) is shown
    assert ("Join now" in html) is shown


@pytest.mark.parametrize("answer", [None, RSVP.Status.WAITLISTED])
def test_the_join_link_never_shows_to_someone_not_going(maya, answer):
    event = _next_event(maya.cohort)
    if answer:
        RSVP.objects.create(event=event, user=maya.participant.user, status=answer)
    with time_machine.travel(STARTS - timedelta(minutes=5), tick=False):
        html = _home(maya)
    assert "Roundtable: barriers to publishing" in _section(html, "next-event-heading")
    assert JOIN not in html
    assert "Join now" not in html


def test_an_event_they_said_no_to_is_not_their_next_event(maya):
    declined = _next_event(maya.cohort, title="Declined roundtable")
    RSVP.objects.create(event=declined, user=maya.participant.user, status=RSVP.Status.NOT_GOING)
    _next_event(maya.cohort, title="Networking afternoon", starts_at=STARTS + timedelta(days=1))
    with time_machine.travel(NOW, tick=False):
        section = _section(_home(maya), "next-event-heading")
    assert "Networking afternoon" in section
    assert "Declined roundtable" not in section


def test_no_event_coming_up_says_what_happens_next(maya):
    with time_machine.travel(NOW, tick=False):
        section = _section(_home(maya), "next-event-heading")
    assert "No events coming up" in section
    assert f'href="{maya.cohort.get_absolute_url()}"' in section


def test_the_cohort_page_offers_the_join_button_in_the_row_of_an_event_near_and_going(maya):
    event = _next_event(maya.cohort)
    RSVP.objects.create(event=event, user=maya.participant.user, status=RSVP.Status.GOING)
    with time_machine.travel(STARTS - timedelta(minutes=31), tick=False):
        assert JOIN not in maya.get(maya.cohort.get_absolute_url()).content.decode()
    with time_machine.travel(STARTS - timedelta(minutes=10), tick=False):
        assert f'href="{JOIN}"' in maya.get(maya.cohort.get_absolute_url()).content.decode()


# --- Answers still needed ----------------------------------------------------------------


def test_answers_needed_lists_only_open_unanswered_events_of_their_cohorts(maya):
    cohort = maya.cohort
    EventFactory(cohort=cohort, title="Open, no deadline", starts_at=STARTS)
    EventFactory(cohort=cohort, title="Open until Thursday", starts_at=STARTS, rsvp_deadline=NOW + timedelta(days=2))
    EventFactory(cohort=cohort, title="Deadline passed", starts_at=STARTS, rsvp_deadline=NOW - timedelta(minutes=1))
    answered = EventFactory(cohort=cohort, title="Already answered", starts_at=STARTS)
    RSVP.objects.create(event=answered, user=maya.participant.user, status=RSVP.Status.NOT_GOING)
    EventFactory(cohort=cohort, title="Cancelled one", starts_at=STARTS, status=Event.Status.CANCELLED)
    EventFactory(cohort=cohort, title="Last week", starts_at=NOW - timedelta(days=7))
    EventFactory(title="Another cohort's event", starts_at=STARTS)
    with time_machine.travel(NOW, tick=False):
        response = maya.get(reverse("dashboard"))
    home = response.context["home"]
    assert [e.title for e in home.rsvps_needed] == ["Open, no deadline", "Open until Thursday"]
    assert home.rsvps_needed_count == 2
    section = _section(response.content.decode(), "rsvps-heading")
    assert f'href="{reverse("events:detail", args=[home.rsvps_needed[0].pk])}"' in section
    assert "Another cohort" not in section


def test_answers_needed_show_the_viewers_own_time_beside_the_events(maya):
    maya.participant.user.time_zone = "America/New_York"
    maya.participant.user.save()
    EventFactory(cohort=maya.cohort, title="Open, no deadline", starts_at=STARTS, time_zone="Europe/London")
    with time_machine.travel(NOW, tick=False):
        section = _section(_home(maya), "rsvps-heading")
    assert "Tue 3 Nov 2026, 14:00 GMT (Europe/London) (" in section
    assert "Tue 3 Nov, 09:00 EST, your time" in section


# --- Unread threads ----------------------------------------------------------------------


def test_unread_threads_count_drops_when_opened_and_rises_with_a_new_reply(maya):
    cohort = maya.cohort
    staff = UserFactory(is_staff=True, name="Sam Lee")
    first = services.message_post(cohort=cohort, author=staff, subject="Welcome", body="Say hello")
    services.message_post(cohort=cohort, author=staff, subject="Agenda for the roundtable", body="Ideas?")
    services.message_post(cohort=MembershipFactory().cohort, author=staff, subject="Not your cohort", body="x")

    home = maya.get(reverse("dashboard")).context["home"]
    assert home.unread_count == 2
    assert [t.subject for t in home.unread_threads] == ["Agenda for the roundtable", "Welcome"]

    assert maya.get(first.get_absolute_url()).status_code == 200
    home = maya.get(reverse("dashboard")).context["home"]
    assert (home.unread_count, [t.subject for t in home.unread_threads]) == (1, ["Agenda for the roundtable"])

    other = ParticipantFactory(membership=MembershipFactory(cohort=cohort))
    services.message_post(cohort=cohort, author=other.user, body="Hello from us", parent=first)
    html = _home(maya)
    assert '<span class="badge rounded-pill text-bg-primary unread-count">2</span>' in html
    assert "Not your cohort" not in html


def test_their_own_reply_does_not_make_a_thread_unread(maya):
    staff = UserFactory(is_staff=True)
    root = services.message_post(cohort=maya.cohort, author=staff, subject="Welcome", body="Say hello")
    maya.get(root.get_absolute_url())
    services.message_post(cohort=maya.cohort, author=maya.participant.user, body="Hi all", parent=root)
    assert maya.get(reverse("dashboard")).context["home"].unread_count == 0


def test_the_message_list_marks_the_unread_threads(maya):
    staff = UserFactory(is_staff=True)
    read = services.message_post(cohort=maya.cohort, author=staff, subject="Already read", body="x")
    services.message_post(cohort=maya.cohort, author=staff, subject="Fresh news", body="x")
    maya.get(read.get_absolute_url())
    response = maya.get(reverse("cohorts:messages", args=[maya.cohort.slug]))
    assert [(t.subject, t.is_unread) for t in response.context["threads"]] == [
        ("Fresh news", True),
        ("Already read", False),
    ]
    html = response.content.decode()
    assert 'Fresh news<span class="visually-hidden"> (unread)</span>' in html
    assert "Already read<span" not in html
    assert "1 thread with something new since you last read it." in html


def test_marking_a_thread_read_is_idempotent_and_never_goes_back():
    participant = ParticipantFactory()
    root = services.message_post(
        cohort=participant.membership.cohort, author=UserFactory(is_staff=True), subject="Welcome", body="x"
    )
    later = NOW + timedelta(hours=1)
    first = services.thread_mark_read(user=participant.user, thread=root, seen_up_to=later)
    again = services.thread_mark_read(user=participant.user, thread=root, seen_up_to=later)
    older = services.thread_mark_read(user=participant.user, thread=root, seen_up_to=NOW)
    assert first.pk == again.pk == older.pk
    assert ThreadRead.objects.filter(user=participant.user, thread=root).count() == 1
    assert ThreadRead.objects.get().read_at == later


def test_a_reply_cannot_be_marked_as_a_thread():
    from django.core.exceptions import ValidationError

    participant = ParticipantFactory()
    cohort = participant.membership.cohort
    root = services.message_post(cohort=cohort, author=UserFactory(is_staff=True), subject="Welcome", body="x")
    reply = services.message_post(cohort=cohort, author=participant.user, body="Hi", parent=root)
    with pytest.raises(ValidationError):
        services.thread_mark_read(user=participant.user, thread=reply)
    assert ThreadRead.objects.count() == 0


def test_the_database_keeps_one_read_row_per_person_per_thread():
    from django.db import IntegrityError, transaction

    participant = ParticipantFactory()
    root = services.message_post(
        cohort=participant.membership.cohort, author=UserFactory(is_staff=True), subject="Welcome", body="x"
    )
    ThreadRead.objects.create(user=participant.user, thread=root, read_at=NOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        ThreadRead.objects.create(user=participant.user, thread=root, read_at=NOW)


# --- Contributions due and resources -----------------------------------------------------


def test_contributions_due_lists_their_themes_not_written_and_drafts_not_signed_off(maya):
    barriers, sustainability, methods, *_ = Theme.objects.order_by("position")
    membership = maya.participant.membership
    membership.themes.set([barriers, sustainability, methods])
    Contribution.objects.create(membership=membership, theme=sustainability, learnings="Draft")
    Contribution.objects.create(membership=membership, theme=methods, learnings="Done", signed_off_at=NOW)
    response = maya.get(reverse("dashboard"))
    due = [(d.theme.name, d.contribution is not None) for d in response.context["home"].contributions_due]
    assert due == [(barriers.name, False), (sustainability.name, True)]
    section = _section(response.content.decode(), "contributions-heading")
    url = reverse("cohorts:contributions", args=[maya.cohort.slug])
    assert f'href="{url}?theme={barriers.pk}"' in section
    assert f'href="{url}?theme={sustainability.pk}"' in section


def test_the_latest_five_resources_of_their_cohorts(maya):
    staff = UserFactory(is_staff=True)
    for n in range(7):
        services.resource_add(cohort=maya.cohort, user=staff, title=f"Guide {n}", url=f"https://guide.example/{n}")
    other = MembershipFactory().cohort
    services.resource_add(cohort=other, user=staff, title="Elsewhere", url="https://elsewhere.example/")
    resources = maya.get(reverse("dashboard")).context["home"].resources
    assert [r.title for r in resources] == ["Guide 6", "Guide 5", "Guide 4", "Guide 3", "Guide 2"]


# --- Applicants and query counts ---------------------------------------------------------


def test_an_applicant_without_a_cohort_sees_their_organisation_and_application(client):
    link = OrganisationPersonFactory(organisation__name="Coastal Birds Open Atlas", user__name="Hugo Martin")
    ApplicationFactory(organisation=link.organisation, call__title="Cohort 3 open call")
    client.force_login(link.user)
    html = _home(client)
    assert "<h1>Welcome back, Hugo</h1>" in html
    assert 'id="next-event-heading"' not in html
    assert "Coastal Birds Open Atlas" in _section(html, "orgs-heading")
    assert "Cohort 3 open call" in _section(html, "apps-heading")
    assert "Not in a cohort yet" in _section(html, "cohorts-heading")


def test_someone_without_a_name_is_welcomed_without_their_address(client):
    user = UserFactory(name="", email="old.account@example.org")
    client.force_login(user)
    html = _home(client)
    assert "<h1>Welcome back</h1>" in html
    assert "Add your name" in html


def _busy_home(participant, rows: int) -> None:
    cohort = participant.membership.cohort
    staff = UserFactory(is_staff=True)
    themes = list(Theme.objects.order_by("position"))
    participant.membership.themes.set(themes[: min(rows, len(themes))])
    for n in range(rows):
        event = EventFactory(cohort=cohort, starts_at=NOW + timedelta(days=n + 1))
        if n % 2:
            RSVP.objects.create(event=event, user=participant.user, status=RSVP.Status.GOING)
        root = services.message_post(cohort=cohort, author=staff, subject=f"Thread {n}", body="x")
        Message.objects.create(cohort=cohort, author=staff, parent=root, body="reply")
        services.resource_add(cohort=cohort, user=staff, title=f"Link {n}", url="https://example.org/x")


@pytest.mark.parametrize("rows", [1, 20])
def test_the_home_costs_the_same_queries_at_1_and_20_rows(client, django_assert_max_num_queries, rows):
    participant = ParticipantFactory(user__name="Maya Okafor")
    _busy_home(participant, rows)
    client.force_login(participant.user)
    # session, user, reviewer check, organisations, applications, cohorts, memberships, next event and its
    # answer, answers needed (list and count), unread (list and count), themes, contributions, resources,
    # and the shell's own (navbar, time zone offer).
    with (
        time_machine.travel(NOW, tick=False),
        django_assert_max_num_queries(20),
        CaptureQueriesContext(connection) as queries,
    ):
        assert client.get(reverse("dashboard")).status_code == 200
    small = ParticipantFactory(user__name="Ana Abara")
    _busy_home(small, 1)
    client.force_login(small.user)
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as baseline:
        client.get(reverse("dashboard"))
    assert len(queries) == len(baseline)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_opening_a_thread_in_many_tabs_at_once_leaves_one_read_mark_at_the_newest_time():
    from tests.helpers import race

    for _ in range(5):
        participant = ParticipantFactory()
        root = services.message_post(
            cohort=participant.membership.cohort, author=UserFactory(is_staff=True), subject="Welcome", body="x"
        )
        times = [NOW + timedelta(seconds=n) for n in range(8)]
        errors = race(
            times, lambda at, p=participant, r=root: services.thread_mark_read(user=p.user, thread=r, seen_up_to=at)
        )
        assert errors == []
        assert list(ThreadRead.objects.filter(thread=root).values_list("read_at", flat=True)) == [times[-1]]


def test_an_event_under_way_is_happening_now(maya):
    event = _next_event(maya.cohort)
    RSVP.objects.create(event=event, user=maya.participant.user, status=RSVP.Status.GOING)
    with time_machine.travel(STARTS + timedelta(minutes=10), tick=False):
        section = _section(_home(maya), "next-event-heading")
    assert 'id="next-event-heading" class="h4">Happening now</h2>' in section
