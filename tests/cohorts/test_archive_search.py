"""cohorts/selectors.py archive_search and the theme page: found by a word in a reply, only in one's own cohorts."""

import pytest
from django.db import connection
from django.urls import reverse

from cohorts import services
from cohorts.models import Contribution, Theme
from cohorts.selectors import _snippet_html, archive_search
from tests.factories import CohortFactory, EventFactory, MembershipFactory, ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive():
    staff = UserFactory(is_staff=True)
    mine, theirs = CohortFactory(slug="mine"), CohortFactory(slug="theirs")
    me = ParticipantFactory(membership=MembershipFactory(cohort=mine))
    them = ParticipantFactory(membership=MembershipFactory(cohort=theirs))
    licences = Theme.objects.create(name="Licensing (test)", slug="licensing-test")
    funding = Theme.objects.create(name="Funding (test)", slug="funding-test")
    thread = services.message_post(
        cohort=mine, author=staff, subject="Licences for registers", body="Which licence?", theme=licences
    )
    reply = "We chose the Wombat licence <script>alert(1)</script> & it."
    services.message_post(cohort=mine, author=me.user, body=reply, parent=thread)
    other = services.message_post(cohort=mine, author=staff, subject="Budgets", body="Spend plans.", theme=funding)
    elsewhere = services.message_post(
        cohort=theirs, author=staff, subject="Wombat sightings", body="A wombat thread elsewhere.", theme=licences
    )
    return {
        "staff": staff,
        "me": me.user,
        "them": them.user,
        "thread": thread,
        "other": other,
        "elsewhere": elsewhere,
        "licences": licences,
        "funding": funding,
        "mine": mine,
    }


def test_a_word_only_in_a_reply_finds_its_thread_and_not_another_cohorts(archive):
    (hit,) = archive_search(archive["me"], "wombat")
    assert hit.thread == archive["thread"]
    assert hit.message.parent == archive["thread"]
    # Only the matched word is marked; nothing the author wrote becomes markup.
    assert "We chose the <mark>Wombat</mark> licence" in hit.snippet
    assert "<script>" not in hit.snippet
    assert "&amp;" in hit.snippet


def test_a_snippet_escapes_the_text_and_marks_only_balanced_matches():
    assert _snippet_html("a <b> & \x02word\x03 \x02open") == "a &lt;b&gt; &amp; <mark>word</mark> open"


def test_the_other_cohorts_member_finds_only_their_own(archive):
    assert [hit.thread for hit in archive_search(archive["them"], "wombat")] == [archive["elsewhere"]]


def test_staff_find_threads_in_every_cohort(archive):
    found = {hit.thread for hit in archive_search(archive["staff"], "wombat")}
    assert found == {archive["thread"], archive["elsewhere"]}


def test_a_theme_keeps_its_threads_only(archive):
    assert [hit.thread for hit in archive_search(archive["me"], "plans", theme=archive["funding"])] == [
        archive["other"]
    ]
    assert archive_search(archive["me"], "plans", theme=archive["licences"]) == []
    assert [hit.thread for hit in archive_search(archive["me"], "wombat", theme=archive["licences"])] == [
        archive["thread"]
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search is PostgreSQL's")
def test_postgres_search_matches_word_forms(archive):
    # English stemming: "licences" in the subject is found by "licence".
    assert [hit.thread for hit in archive_search(archive["them"], "sighting")] == [archive["elsewhere"]]


def test_the_search_page_shows_the_hit_with_a_link_and_no_outsider_threads(client, archive):
    client.force_login(archive["them"])
    page = client.get(reverse("cohorts:archive_search"), {"q": "wombat"}).content.decode()
    assert "1 thread found" in page
    assert archive["elsewhere"].get_absolute_url() in page
    assert archive["thread"].get_absolute_url() not in page
    client.force_login(archive["me"])
    page = client.get(reverse("cohorts:archive_search"), {"q": "wombat"}).content.decode()
    assert archive["thread"].get_absolute_url() in page
    assert "in a reply" in page
    assert archive["elsewhere"].get_absolute_url() not in page


def test_the_theme_page_gathers_the_cohorts_threads_events_resources_and_contributions(client, archive, tmp_path):
    mine, licences = archive["mine"], archive["licences"]
    EventFactory(cohort=mine, theme=licences, title="Licensing roundtable")
    EventFactory(cohort=CohortFactory(), theme=licences, title="Another cohort's roundtable")
    services.resource_add(
        cohort=mine, user=archive["me"], title="Licence chooser", url="https://choose.example", themes=[licences]
    )
    membership = archive["me"].participations.get().membership
    Contribution.objects.create(
        membership=membership, theme=licences, learnings="Open licences paid off.", signed_off_at="2026-11-01T00:00Z"
    )
    Contribution.objects.create(
        membership=MembershipFactory(cohort=mine), theme=licences, learnings="Unsigned draft text."
    )
    client.force_login(archive["me"])
    page = client.get(reverse("cohorts:theme", args=["mine", licences.slug])).content.decode()
    for text in ("Licences for registers", "Licensing roundtable", "Licence chooser", "Open licences paid off."):
        assert text in page
    for text in ("Budgets", "Another cohort&#x27;s roundtable", "Wombat sightings", "Unsigned draft text."):
        assert text not in page


def test_the_theme_page_is_a_404_for_an_outsider(client, archive):
    client.force_login(archive["them"])
    assert client.get(reverse("cohorts:theme", args=["mine", archive["licences"].slug])).status_code == 404
    assert client.get(reverse("cohorts:theme", args=["mine", "no-such-theme"])).status_code == 404


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index is PostgreSQL's")
def test_the_search_can_use_its_gin_index(archive):
    from django.contrib.postgres.search import SearchQuery, SearchVector

    from cohorts.models import Message

    query = (
        Message.objects.annotate(document=SearchVector("subject", "body", config="english"))
        .filter(document=SearchQuery("wombat", search_type="websearch", config="english"))
        .values("pk")
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = query.explain()
    assert "cohorts_message_search" in plan


def test_a_thread_started_on_the_page_keeps_its_theme(client, archive):
    client.force_login(archive["me"])
    response = client.post(
        reverse("cohorts:messages", args=["mine"]),
        {"subject": "Wombat licences", "body": "A question.", "theme": archive["licences"].pk},
    )
    thread = archive["mine"].messages.get(subject="Wombat licences")
    assert response.status_code == 302
    assert thread.theme == archive["licences"]
    assert [hit.thread for hit in archive_search(archive["me"], "question", theme=archive["licences"])] == [thread]


@pytest.mark.parametrize("rows", [1, 20])
def test_the_search_and_theme_pages_cost_the_same_at_1_and_20(
    client, django_assert_num_queries, rows, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    cohort = CohortFactory(slug="counted")
    member = ParticipantFactory(membership=MembershipFactory(cohort=cohort))
    theme = Theme.objects.create(name="Counted", slug="counted")
    staff = UserFactory(is_staff=True)
    for n in range(rows):
        thread = services.message_post(cohort=cohort, author=staff, subject=f"Otter {n}", body="Otters.", theme=theme)
        services.message_post(cohort=cohort, author=member.user, body="More otters.", parent=thread)
        EventFactory(cohort=cohort, theme=theme)
        services.resource_add(cohort=cohort, user=member.user, title=f"Otter file {n}", upload=_pdf(n), themes=[theme])
    client.force_login(member.user)
    with django_assert_num_queries(8):
        assert client.get(reverse("cohorts:archive_search"), {"q": "otters"}).status_code == 200
    with django_assert_num_queries(11):
        assert client.get(reverse("cohorts:theme", args=["counted", "counted"])).status_code == 200


def _pdf(n):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(f"otter-{n}.pdf", b"%PDF-1.4 otter")
