"""The publication: kept versions, sign-off by every contributing organisation's lead, credits per person, files."""

import io
import json
import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pypdf import PdfReader

from cohortnet import opendata
from outcomes import publication_services as services
from outcomes.models import PublicationSignOff, PublicationVersion
from tests.outcomes.publication_world import ANONYMOUS, ANONYMOUS_EMAIL, NAMED, ORG_ONLY, PublicationWorld

pytestmark = pytest.mark.django_db

BLOCKED = (
    "Not signed off yet by the lead contact of: {names}. Each contributing organisation's lead contact signs off "
    "the current text before it is published."
)


@pytest.fixture
def world():
    return PublicationWorld()


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def digest(world) -> str:
    return services.publication_digest(world.publication)


def url(name, world, **kwargs):
    return reverse(f"outcomes:{name}", kwargs={"slug": world.publication.slug, **kwargs})


# --- Versions -------------------------------------------------------------------------------------


def test_publishing_twice_keeps_two_versions_each_with_its_own_text(world, client):
    first = world.ready()
    world.write(text_a="Volunteers stay when they are thanked, and paid for travel.")
    world.sign_off()
    second = world.publish()

    versions = list(PublicationVersion.objects.filter(publication=world.publication).order_by("number"))
    assert [(v.number, v.sections[0]["text"]) for v in versions] == [
        (1, "Volunteers stay when they are thanked."),
        (2, "Volunteers stay when they are thanked, and paid for travel."),
    ]
    assert (first.pk, second.pk) == (versions[0].pk, versions[1].pk)

    latest = client.get(world.publication.get_absolute_url()).content.decode()
    assert "paid for travel" in latest
    assert url("publication_version", world, number=1) in latest  # earlier versions are listed
    old = client.get(url("publication_version", world, number=1)).content.decode()
    assert "Volunteers stay when they are thanked." in old
    assert "paid for travel" not in old
    assert "A newer version exists" in old


def test_a_draft_never_published_is_a_404_to_the_public_and_to_other_people(world, client):
    world.write()
    assert client.get(world.publication.get_absolute_url()).status_code == 404
    assert client.get(url("publication_version", world, number=1)).status_code == 404
    assert client.get(url("publication_pdf", world, number=1)).status_code == 404
    assert client.get(url("publication_cff", world, number=1)).status_code == 404
    assert client.get(url("publication_preview", world)).status_code == 302  # to sign in
    from tests.factories import UserFactory

    client.force_login(UserFactory(name="Outsider"))
    assert client.get(url("publication_preview", world)).status_code == 404
    assert client.get(url("publication_review", world)).status_code == 404
    assert client.get(url("publication_edit", world)).status_code == 404


def test_the_preview_shows_the_draft_to_staff_and_contributors_without_publishing(world, client):
    world.write(text_a="Draft words on volunteers.")
    client.force_login(world.ledger_lead)
    page = client.get(url("publication_preview", world)).content.decode()
    assert "Preview, not published." in page
    assert "Draft words on volunteers." in page
    assert PublicationVersion.objects.count() == 0


# --- Sign-off -------------------------------------------------------------------------------------


def test_an_organisation_whose_lead_has_not_signed_off_blocks_publishing_with_the_exact_message(world):
    world.write()
    world.sign_off(world.harbour)
    with pytest.raises(ValidationError) as refused:
        world.publish()
    assert refused.value.messages == [BLOCKED.format(names="Ledgerlight")]
    assert PublicationVersion.objects.count() == 0


def test_a_change_after_sign_off_needs_a_new_sign_off(world):
    world.write()
    world.sign_off()
    world.write(text_b="Choose CC BY early, and say so on every file.")
    with pytest.raises(ValidationError) as refused:
        world.publish()
    assert refused.value.messages == [BLOCKED.format(names="Harbour Data, Ledgerlight")]
    world.sign_off()
    assert world.publish().number == 1


def test_the_staff_page_shows_the_refusal_as_a_message(world, client):
    world.write()
    client.force_login(world.staff)
    response = client.post(url("publication_publish", world), follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [BLOCKED.format(names="Harbour Data, Ledgerlight")]
    assert PublicationVersion.objects.count() == 0


def test_the_admin_action_shows_the_refusal_as_a_message_never_a_500(world, client):
    world.write()
    client.force_login(world.staff)
    response = client.post(
        reverse("admin:outcomes_publication_changelist"),
        {"action": "publish", ACTION_CHECKBOX_NAME: [world.publication.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        f"What stewards learned: {BLOCKED.format(names='Harbour Data, Ledgerlight')}"
    ]
    world.sign_off()
    response = client.post(
        reverse("admin:outcomes_publication_changelist"),
        {"action": "publish", ACTION_CHECKBOX_NAME: [world.publication.pk]},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == ["Published 1 new version(s)."]
    assert PublicationVersion.objects.get().number == 1


def test_only_the_lead_contact_signs_off_and_only_for_their_organisation(world, client):
    world.write()
    with pytest.raises(PermissionDenied):
        services.publication_sign_off(
            publication=world.publication, organisation=world.harbour, user=world.anonymous, digest=digest(world)
        )
    with pytest.raises(PermissionDenied):
        services.publication_sign_off(
            publication=world.publication, organisation=world.ledger, user=world.harbour_lead, digest=digest(world)
        )
    client.force_login(world.harbour_lead)
    page = client.get(url("publication_review", world)).content.decode()
    assert "Sign off the current text for Harbour Data" in page
    assert "Ledgerlight" not in page
    response = client.post(url("publication_review", world), {"sign_off": world.harbour.pk, "digest": digest(world)})
    assert response.status_code == 302
    assert PublicationSignOff.objects.get().organisation == world.harbour
    response = client.post(url("publication_review", world), {"sign_off": world.ledger.pk, "digest": digest(world)})
    assert response.status_code == 404
    client.force_login(world.anonymous)
    assert "Sign off the current text" not in client.get(url("publication_review", world)).content.decode()


def test_nothing_written_cannot_be_published(world):
    with pytest.raises(ValidationError) as refused:
        world.publish()
    assert refused.value.messages == ["Write at least one theme's synthesis before publishing."]


# --- Credits --------------------------------------------------------------------------------------


def test_each_person_chooses_their_credit_on_the_review_page(world, client):
    client.force_login(world.anonymous)
    response = client.post(url("publication_review", world), {"choice": "anonymous"})
    assert response.status_code == 302
    assert list(world.publication.credits.values_list("user__name", "organisation__name", "choice")) == [
        (ANONYMOUS, "Harbour Data", "anonymous")
    ]
    response = client.post(url("publication_review", world), {"choice": "famous"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    response = client.post(url("publication_review", world), {})
    assert response.status_code == 200
    assert "Choose how you would like to be credited." in response.content.decode()
    assert world.publication.credits.get().choice == "anonymous"  # nothing half-saved


def _everything_public(world, client) -> dict[str, str]:
    version = world.ready()
    number = version.number
    texts = {
        "html": client.get(world.publication.get_absolute_url()).content.decode(),
        "version html": client.get(url("publication_version", world, number=number)).content.decode(),
        "pdf": pdf_text(client.get(url("publication_pdf", world, number=number)).content),
        "cff": client.get(url("publication_cff", world, number=number)).content.decode(),
        "bib": client.get(url("publication_bib", world, number=number)).content.decode(),
        "data page": client.get(reverse("open_data")).content.decode(),
    }
    for name in [*opendata.DATASETS, "datapackage"]:
        for fmt in ("json",) if name == "datapackage" else ("json", "csv"):
            response = client.get(reverse("open_data_file", args=[world.cohort.slug, name, fmt]))
            texts[f"data {name}.{fmt}"] = response.content.decode()
    return texts


def test_a_person_who_chose_anonymous_appears_nowhere(world, client):
    texts = _everything_public(world, client)
    for where, text in texts.items():
        for needle in (ANONYMOUS, "Xanthippe", "Quorrelby", ANONYMOUS_EMAIL):
            assert needle not in text, f"{needle} in {where}"
    # Not even an id in the frozen version.
    assert world.anonymous.pk not in [c["user_id"] for c in PublicationVersion.objects.get().contributors]


def test_named_people_are_credited_by_name_and_organisation_only_people_by_their_organisation(world, client):
    texts = _everything_public(world, client)
    for where in ("html", "pdf", "cff", "bib"):
        assert NAMED in texts[where], where
        assert ORG_ONLY not in texts[where], where
    assert f"<bdi>{NAMED}</bdi> (<bdi>Harbour Data</bdi>)" in texts["html"]
    assert "<bdi>Ledgerlight</bdi> (organisation credited)" in texts["html"]


def test_the_pdf_holds_each_themes_heading_the_licence_and_the_named_contributors(world, client):
    version = world.ready()
    response = client.get(url("publication_pdf", world, number=version.number))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="stewards-v1.pdf"'
    text = pdf_text(response.content)
    lines = [line.strip() for line in text.splitlines()]
    assert "Sustaining volunteers" in lines
    assert "Licensing choices" in lines
    assert "Published under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)." in text
    assert f"{NAMED} (Harbour Data)" in lines
    assert "Ledgerlight (organisation credited)" in lines


# --- Citation and the page ------------------------------------------------------------------------


def test_the_page_carries_schema_org_metadata_and_the_citation_files(world, client):
    world.ready()
    page = client.get(world.publication.get_absolute_url()).content.decode()
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert data["@type"] == "Report"
    assert data["name"] == "What stewards learned"
    assert data["version"] == "1"
    assert data["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert data["author"] == [
        {"@type": "Person", "name": NAMED, "affiliation": "Harbour Data"},
        {"@type": "Organization", "name": "Ledgerlight"},
    ]
    cff = client.get(url("publication_cff", world, number=1))
    assert cff["Content-Disposition"] == 'attachment; filename="CITATION.cff"'
    body = cff.content.decode()
    assert "cff-version: 1.2.0\n" in body
    assert 'title: "What stewards learned"\n' in body
    assert 'license: "CC-BY-4.0"\n' in body
    assert f'  - name: "{NAMED}"\n' in body
    bib = client.get(url("publication_bib", world, number=1)).content.decode()
    assert bib.startswith("@techreport{stewardsv1,\n")
    assert f"  author = {{{{CohortNet}} and {{{NAMED}}}}}" in bib


def test_the_open_data_page_lists_the_publication_with_its_files(world, client):
    world.ready()
    page = client.get(reverse("open_data")).content.decode()
    for link in (
        world.publication.get_absolute_url(),
        url("publication_pdf", world, number=1),
        url("publication_cff", world, number=1),
        url("publication_bib", world, number=1),
    ):
        assert f'href="{link}"' in page


def test_hostile_input_is_escaped_in_the_page_the_json_ld_and_the_pdf(world, client):
    world.publication.title = "</script><script>alert(1)</script> {evil}"
    world.publication.save()
    world.write(text_a="<script>alert(2)</script> <b>bold & <i>unclosed", text_b="{evil} \\\\ } @misc{")
    world.credits()
    world.harbour_lead.name = "Zoë <img src=x onerror=alert(3)> 山田"
    world.harbour_lead.save()
    world.sign_off()
    world.publish()
    page = client.get(world.publication.get_absolute_url()).content.decode()
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "\\u003c/script\\u003e" in page  # inside the JSON-LD
    text = pdf_text(client.get(url("publication_pdf", world, number=1)).content)
    assert "<script>alert(2)</script> <b>bold & <i>unclosed" in text
    bib = client.get(url("publication_bib", world, number=1)).content.decode()
    assert "  title = {</script><script>alert(1)</script> evil},\n" in bib  # no brace can close the field early


def test_the_editor_shows_contributions_notes_and_written_inputs_beside_the_text(world, client):
    client.force_login(world.staff)
    page = client.get(url("publication_edit", world) + f"?theme={world.theme_a.pk}").content.decode()
    assert "Harbour learnt" in page
    assert "Roundtable notes on volunteers" in page
    assert "Written input on volunteers" in page
    response = client.post(url("publication_edit", world), {"theme": world.theme_a.pk, "text": "Synthesis"})
    assert response.status_code == 302
    assert world.publication.sections.get().text == "Synthesis"


def test_staff_ask_each_contributor_to_review_once_per_text_through_the_outbox(
    world, client, django_capture_on_commit_callbacks
):
    from notifications.models import Email

    world.write()
    client.force_login(world.staff)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url("publication_ask", world), follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Asked 3 people to review the current text."]
    emails = {e.to_email: e for e in Email.objects.filter(kind="publication_review")}
    assert sorted(emails) == sorted([world.harbour_lead.email, world.ledger_lead.email, ANONYMOUS_EMAIL])
    assert emails[world.harbour_lead.email].subject == "Please review: What stewards learned (your sign-off is needed)"
    assert emails[ANONYMOUS_EMAIL].subject == "Please review: What stewards learned"
    assert "/outputs/stewards/review/" in emails[ANONYMOUS_EMAIL].body_text
    response = client.post(url("publication_ask", world), follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Everyone has already been asked about the current text."]
    world.write(text_a="Changed.")
    client.post(url("publication_ask", world))
    assert Email.objects.filter(kind="publication_review").count() == 6


def test_the_admin_pages_show_who_has_still_to_sign_off(world, client):
    world.write()
    world.sign_off(world.harbour)
    client.force_login(world.staff)
    page = client.get(reverse("admin:outcomes_publication_change", args=[world.publication.pk])).content.decode()
    assert "Waiting for: Ledgerlight" in page
    assert client.get(reverse("admin:outcomes_publication_add")).status_code == 200
    response = client.post(
        reverse("admin:outcomes_publication_add"),
        {"cohort": world.cohort.pk, "title": "Another", "slug": "stewards", "licence": "CC-BY-4.0"},
    )
    assert response.status_code == 200  # refused on the form (this cohort has one), not a 500
    assert "Publication with this Cohort already exists." in response.content.decode()
