import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cohorts import services
from cohorts.models import Cohort, Contribution, Message, Organisation, OrganisationPerson, Resource, Theme
from notifications.models import Email
from outcomes.models import Publication
from tests.factories import MembershipFactory, ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client):
    client.force_login(UserFactory())
    return client


def test_creating_an_organisation_makes_you_its_lead_and_returns_to_next(signed_in):
    response = signed_in.post(
        reverse("cohorts:organisation_create"),
        {"name": "Harbour Tide Data Trust", "website": "harbourtide.example", "next": "/calls/x/apply/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/calls/x/apply/"
    organisation = Organisation.objects.get()
    assert organisation.website == "https://harbourtide.example"
    assert OrganisationPerson.objects.get(organisation=organisation).role == "lead"


def test_next_pointing_elsewhere_is_ignored(signed_in):
    response = signed_in.post(
        reverse("cohorts:organisation_create"), {"name": "Harbour Tide", "next": "https://evil.example/"}
    )
    assert response["Location"] == Organisation.objects.get().get_absolute_url()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "x" * 201}, "name", "Ensure this value has at most 200 characters (it has 201)."),
        ({"name": "Tide", "website": "not a url"}, "website", "Enter a valid URL."),
        ({"name": "Ti\x00de"}, "name", "Null characters are not allowed."),
    ],
)
def test_bad_organisation_input_is_a_field_error_and_the_rest_is_kept(signed_in, data, field, message):
    response = signed_in.post(reverse("cohorts:organisation_create"), {**data, "country": "PT"})
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert '<option value="PT" selected>Portugal</option>' in response.content.decode()
    assert Organisation.objects.count() == 0


def _pdf(name="guide.pdf", size=None):
    content = b"%PDF-1.4 a small guide" if size is None else b"%PDF-" + b"0" * (size - 5)
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _member_urls(cohort, message, resource):
    return [
        reverse("cohorts:directory", args=[cohort.slug]),
        reverse("cohorts:messages", args=[cohort.slug]),
        reverse("cohorts:thread", args=[cohort.slug, message.pk]),
        reverse("cohorts:resources", args=[cohort.slug]),
        reverse("cohorts:resource_file", args=[cohort.slug, resource.pk]),
        reverse("cohorts:contributions", args=[cohort.slug]),
        reverse("cohorts:preferences", args=[cohort.slug]),
        reverse("cohort_home", args=[cohort.slug]),
    ]


@pytest.mark.parametrize("who", ["stranger", "other_cohort"])
def test_every_member_page_and_file_is_a_404_for_outsiders(member, client, who):
    cohort = member.cohort
    message = services.message_post(cohort=cohort, author=UserFactory(is_staff=True), subject="Hi", body="Hello")
    resource = services.resource_add(cohort=cohort, user=member.participant.user, title="Guide", upload=_pdf())
    client.force_login(UserFactory() if who == "stranger" else ParticipantFactory().user)
    for url in _member_urls(cohort, message, resource):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(reverse("cohorts:messages", args=[cohort.slug]), {"subject": "x", "body": "y"}).status_code == 404
    )
    assert Message.objects.count() == 1


def test_alumni_read_everything_but_cannot_post(member):
    cohort = member.cohort
    message = services.message_post(cohort=cohort, author=UserFactory(is_staff=True), subject="Hi", body="Hello")
    resource = services.resource_add(cohort=cohort, user=member.participant.user, title="Guide", upload=_pdf())
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.COMPLETED)
    for url in _member_urls(cohort, message, resource):
        assert member.get(url).status_code == 200, url
    assert (
        member.post(reverse("cohorts:messages", args=[cohort.slug]), {"subject": "x", "body": "y"}).status_code == 404
    )
    assert member.post(reverse("cohorts:thread", args=[cohort.slug, message.pk]), {"body": "y"}).status_code == 404
    assert (
        member.post(
            reverse("cohorts:resources", args=[cohort.slug]), {"title": "x", "url": "https://x.org"}
        ).status_code
        == 404
    )
    assert Message.objects.count() == 1
    assert Resource.objects.count() == 1


def test_someone_who_stops_the_emails_still_reads_the_archive(member):
    cohort = member.cohort
    member.post(reverse("cohorts:preferences", args=[cohort.slug]), {"delivery": "none", "show_contact_details": "on"})
    member.participant.refresh_from_db()
    assert member.participant.delivery == "none"
    services.message_post(cohort=cohort, author=UserFactory(is_staff=True), subject="News", body="Hello")
    assert Email.objects.filter(to_email=member.participant.user.email).count() == 0
    assert "News" in member.get(reverse("cohorts:messages", args=[cohort.slug])).content.decode()


def test_members_reply_in_a_thread_and_staff_can_stop_members_starting_threads(member):
    cohort = member.cohort
    root = services.message_post(cohort=cohort, author=UserFactory(is_staff=True), subject="Welcome", body="Hi all")
    response = member.post(reverse("cohorts:thread", args=[cohort.slug, root.pk]), {"body": "Hello from us"})
    assert response.status_code == 302
    assert list(root.replies.values_list("body", flat=True)) == ["Hello from us"]
    assert Email.objects.filter(kind="cohort_message").count() == 1  # replies stay on the page

    Cohort.objects.filter(pk=cohort.pk).update(members_can_post=False)
    response = member.post(reverse("cohorts:messages", args=[cohort.slug]), {"subject": "Mine", "body": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"subject": "", "body": "x"}, "subject"),
        ({"subject": "x" * 201, "body": "x"}, "subject"),
        ({"subject": "x", "body": ""}, "body"),
        ({"subject": "a\x00b", "body": "x"}, "subject"),
    ],
)
def test_bad_messages_are_field_errors(member, data, field):
    response = member.post(reverse("cohorts:messages", args=[member.cohort.slug]), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert Message.objects.count() == 0


def test_the_directory_shows_contact_details_only_for_those_who_opted_in(member):
    cohort = member.cohort
    shown = ParticipantFactory(membership=member.participant.membership, show_contact_details=True)
    hidden = ParticipantFactory(membership=member.participant.membership, show_contact_details=False)
    page = member.get(reverse("cohorts:directory", args=[cohort.slug])).content.decode()
    assert shown.user.email in page
    assert hidden.user.email not in page


def test_the_directory_names_each_members_country_in_english(member):
    cohort = member.cohort
    cards = {}
    for country in ("KE", ""):
        membership = MembershipFactory(cohort=cohort, organisation__country=country, organisation__website="")
        ParticipantFactory(membership=membership)
        cards[country] = f'id="org-{membership.organisation.pk}"'
    page = member.get(reverse("cohorts:directory", args=[cohort.slug])).content.decode()
    # The country is the organisation card's line with a map pin; an organisation without one has no such line.
    assert "</svg> Kenya</span>" in page.split(cards["KE"])[1].split("</article>")[0]
    assert "</svg>" not in page.split(cards[""])[1].split("</article>")[0]


def test_the_directory_lists_each_members_themes_in_order(member):
    cohort = member.cohort
    membership = MembershipFactory(cohort=cohort, organisation__name="Aardvark Data")
    membership.themes.set(Theme.objects.filter(slug__in=["sustainability", "barriers-to-publishing"]))
    ParticipantFactory(membership=membership)
    page = member.get(reverse("cohorts:directory", args=[cohort.slug])).content.decode()
    badges = re.findall(r'<li class="theme-badge theme-\w+">([^<]+)</li>', page)
    assert badges == ["Barriers to publishing high-quality open data", "Sustainability and revenue models"]
    assert page.count('<ul class="badge-list') == 1  # the viewer's own organisation chose none


@pytest.mark.parametrize("rows", [1, 20])
def test_directory_archive_and_resources_cost_the_same_at_1_and_20(member, django_assert_num_queries, rows):
    cohort = member.cohort
    staff = UserFactory(is_staff=True)
    for n in range(rows):
        ParticipantFactory(membership=MembershipFactory(cohort=cohort), show_contact_details=True)
        services.message_post(cohort=cohort, author=staff, subject=f"Thread {n}", body="x")
        services.resource_add(cohort=cohort, user=staff, title=f"Link {n}", url="https://example.org/x")
    # Each: session, user, cohort, membership check, the rows, prefetches, the navbar's reviewer check;
    # the messages also name each author's organisation (one query for the page). The directory finds the
    # cohort through the viewer's membership, one query for both.
    for name, queries in [("cohorts:directory", 8), ("cohorts:messages", 10), ("cohorts:resources", 10)]:
        with django_assert_num_queries(queries):
            assert member.get(reverse(name, args=[cohort.slug])).status_code == 200


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("page.html", b"<script>alert(1)</script>"), "Files of type “.html” cannot be shared."),
        (SimpleUploadedFile("run.exe", b"MZ"), "Files of type “.exe” cannot be shared."),
        (SimpleUploadedFile("fake.pdf", b"<html>not a pdf"), "This file does not look like a PDF."),
        (_pdf(size=10 * 1024 * 1024 + 1), "This file is 10.0 MB; the limit is 10 MB."),
    ],
)
def test_bad_uploads_are_refused_with_a_clear_message(member, upload, message):
    response = member.post(reverse("cohorts:resources", args=[member.cohort.slug]), {"title": "Doc", "file": upload})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors.get("file", []))
    assert Resource.objects.count() == 0


def test_a_path_in_the_file_name_is_stored_safely_and_served_only_as_a_download(member, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("../../x.pdf", b"%PDF-1.4 hello", content_type="text/html")
    response = member.post(reverse("cohorts:resources", args=[member.cohort.slug]), {"title": "Doc", "file": upload})
    assert response.status_code == 302
    resource = Resource.objects.get()
    assert resource.original_filename == "x.pdf"
    assert resource.file.name.startswith(f"private/resources/{member.cohort.pk}/")
    assert ".." not in resource.file.name
    assert (tmp_path / resource.file.name).resolve().is_relative_to(tmp_path)
    download = member.get(resource.get_absolute_url())
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="x.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == b"%PDF-1.4 hello"
    # No public URL serves uploads.
    assert (
        settings.MEDIA_URL in ("", "/")
        or member.get(f"/{settings.MEDIA_URL.strip('/')}/{resource.file.name}").status_code == 404
    )


def test_a_signed_off_contribution_is_what_staff_see_beside_the_publication_editor(member, client):
    # The published output itself (versions, sign-off per organisation, credits) is outcomes'; see
    # tests/outcomes/test_publication.py. Here: a member's contribution reaches the staff editor.
    cohort = member.cohort
    theme = Theme.objects.get(slug="sustainability")
    url = reverse("cohorts:contributions", args=[cohort.slug])
    member.post(url, {"theme": theme.pk, "learnings": "Paid APIs fund open bulk data.", "credit": "chatham"})
    contribution = Contribution.objects.get()
    assert contribution.signed_off_at is None
    member.post(url, {"theme": theme.pk, "sign_off": "1", "learnings": "x", "credit": "chatham"})
    contribution.refresh_from_db()
    assert contribution.signed_off_at is not None
    other = MembershipFactory(cohort=cohort)
    Contribution.objects.create(membership=other, theme=theme, learnings="Not ready", credit="named")

    publication = Publication.objects.create(cohort=cohort, title="What stewards learned", slug="what-stewards-learned")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    editor = client.get(
        reverse("outcomes:publication_edit", args=[publication.slug]) + f"?theme={theme.pk}"
    ).content.decode()
    assert "Paid APIs fund open bulk data." in editor
    assert "Not ready" in editor  # shown to staff, marked as a draft
    assert "draft, not signed off" in editor
    client.logout()
    assert client.get(publication.get_absolute_url()).status_code == 404  # nothing published yet
