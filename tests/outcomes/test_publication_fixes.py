"""The publication's defects found from outside (issue #17, QA round): each proven here."""

import io
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from notifications.models import Email
from outcomes import publication_services as services
from outcomes.models import PublicationCredit, PublicationSection, PublicationSignOff, PublicationVersion
from tests.factories import CohortFactory, OrganisationPersonFactory, UserFactory
from tests.outcomes.publication_world import NAMED, PublicationWorld

pytestmark = pytest.mark.django_db

TEXT_CHANGED = "The text changed since you opened this page; read it again before signing off."


@pytest.fixture
def world():
    return PublicationWorld()


def url(name, world, **kwargs):
    return reverse(f"outcomes:{name}", kwargs={"slug": world.publication.slug, **kwargs})


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def page_digest(html: str) -> str:
    return re.search(r'name="digest" value="([0-9a-f]{64})"', html).group(1)


# --- 1. A sign-off is of the text the lead saw ----------------------------------------------------


def test_a_sign_off_of_a_text_changed_since_the_page_was_opened_is_refused_with_the_page_re_rendered(world, client):
    world.write(text_a="What the lead read.")
    client.force_login(world.harbour_lead)
    page = client.get(url("publication_review", world)).content.decode()
    assert "What the lead read." in page  # the text signed off is on the page itself
    seen = page_digest(page)
    world.write(text_a="What staff wrote afterwards.")

    response = client.post(url("publication_review", world), {"sign_off": world.harbour.pk, "digest": seen})
    assert response.status_code == 200
    body = response.content.decode()
    assert TEXT_CHANGED in body
    assert "What staff wrote afterwards." in body  # the new text to read
    assert PublicationSignOff.objects.count() == 0

    response = client.post(url("publication_review", world), {"sign_off": world.harbour.pk})  # no digest at all
    assert response.status_code == 200
    assert TEXT_CHANGED in response.content.decode()
    assert PublicationSignOff.objects.count() == 0

    fresh = page_digest(body)
    response = client.post(url("publication_review", world), {"sign_off": world.harbour.pk, "digest": fresh})
    assert response.status_code == 302
    assert PublicationSignOff.objects.get().digest == services.publication_digest(world.publication)


def test_the_sign_off_service_refuses_a_stale_digest(world):
    world.write()
    before = services.publication_digest(world.publication)
    world.write(text_b="Changed.")
    with pytest.raises(ValidationError) as refused:
        services.publication_sign_off(
            publication=world.publication, organisation=world.harbour, user=world.harbour_lead, digest=before
        )
    assert refused.value.messages == [TEXT_CHANGED]
    assert PublicationSignOff.objects.count() == 0


# --- 3. Anonymous later leaves the versions already published -------------------------------------


def _texts_of_every_version(world, client) -> dict[str, str]:
    texts = {}
    for version in PublicationVersion.objects.filter(publication=world.publication):
        n = version.number
        texts[f"v{n} html"] = client.get(url("publication_version", world, number=n)).content.decode()
        texts[f"v{n} pdf"] = pdf_text(client.get(url("publication_pdf", world, number=n)).content)
        texts[f"v{n} cff"] = client.get(url("publication_cff", world, number=n)).content.decode()
        texts[f"v{n} bib"] = client.get(url("publication_bib", world, number=n)).content.decode()
        texts[f"v{n} stored"] = json.dumps(version.contributors, ensure_ascii=False)
    texts["latest html"] = client.get(world.publication.get_absolute_url()).content.decode()
    return texts


def _two_versions(world):
    world.ready()
    world.write(text_a="A second text.")
    world.sign_off()
    world.publish()


def test_switching_to_anonymous_takes_the_person_out_of_every_published_version(world, client):
    _two_versions(world)
    assert all(NAMED in text for where, text in _texts_of_every_version(world, client).items() if "stored" not in where)

    services.publication_credit_set(publication=world.publication, user=world.harbour_lead, choice="anonymous")

    for where, text in _texts_of_every_version(world, client).items():
        assert NAMED not in text, where
        assert "Okonkwo" not in text, where
    for version in PublicationVersion.objects.all():
        assert world.harbour_lead.pk not in [c["user_id"] for c in version.contributors]
        assert version.contributors == [{"user_id": world.ledger_lead.pk, "name": "", "organisation": "Ledgerlight"}]


def test_switching_to_organisation_only_removes_the_name_from_every_published_version(world, client):
    _two_versions(world)
    services.publication_credit_set(publication=world.publication, user=world.harbour_lead, choice="organisation")
    for where, text in _texts_of_every_version(world, client).items():
        assert NAMED not in text, where
    for version in PublicationVersion.objects.all():
        assert {"user_id": world.harbour_lead.pk, "name": "", "organisation": "Harbour Data"} in version.contributors
    latest = client.get(world.publication.get_absolute_url()).content.decode()
    assert "<bdi>Harbour Data</bdi> (organisation credited)" in latest


# --- 4. A lead contact who is not a participant ---------------------------------------------------


def test_a_lead_contact_who_is_not_a_participant_is_asked_reviews_and_signs_off(
    world, client, django_capture_on_commit_callbacks
):
    outside_lead = UserFactory(name="Odile Outside", email="odile@example.org")
    OrganisationPersonFactory(organisation=world.ledger, user=outside_lead, role="lead")
    world.write()
    with django_capture_on_commit_callbacks(execute=False):
        assert services.publication_review_request(publication=world.publication, by=world.staff) == 4
    email = Email.objects.get(kind="publication_review", to_email="odile@example.org")
    assert email.subject == "Please review: What stewards learned (your sign-off is needed)"
    assert f"the publication of the cohort {world.cohort.name}," in email.body_text  # no "stewards's"
    assert "As the lead contact for Ledgerlight, please also sign it off" in email.body_text

    client.force_login(outside_lead)
    assert client.get(url("publication_preview", world)).status_code == 200
    page = client.get(url("publication_review", world)).content.decode()
    assert "Sign off the current text for Ledgerlight" in page
    assert "Save my choice" not in page  # no credit to choose: they do not take part
    assert client.post(url("publication_review", world), {"choice": "named"}).status_code == 404
    assert PublicationCredit.objects.count() == 0
    response = client.post(url("publication_review", world), {"sign_off": world.ledger.pk, "digest": page_digest(page)})
    assert response.status_code == 302
    assert PublicationSignOff.objects.get().signed_by == outside_lead


# --- 5. The address is fixed once published -------------------------------------------------------


def test_the_admin_keeps_slug_and_cohort_once_a_version_exists(world, client):
    client.force_login(world.staff)
    change = reverse("admin:outcomes_publication_change", args=[world.publication.pk])
    page = client.get(change).content.decode()
    assert 'name="slug"' in page  # editable before publishing
    assert 'name="cohort"' in page
    world.ready()
    page = client.get(change).content.decode()
    assert 'name="slug"' not in page
    assert 'name="cohort"' not in page
    other_cohort = CohortFactory()  # a cohort to try to move it to
    response = client.post(
        change,
        {
            "cohort": other_cohort.pk,
            "title": "What stewards learned",
            "slug": "moved",
            "introduction": "",
            "licence": "CC-BY-4.0",
            "versions-TOTAL_FORMS": "1",
            "versions-INITIAL_FORMS": "1",
            "versions-MIN_NUM_FORMS": "0",
            "versions-MAX_NUM_FORMS": "1000",
            "versions-0-id": PublicationVersion.objects.get().pk,
            "versions-0-publication": world.publication.pk,
        },
    )
    assert response.status_code == 302
    world.publication.refresh_from_db()
    assert (world.publication.slug, world.publication.cohort_id) == ("stewards", world.cohort.pk)


# --- 6. Publishing twice the same thing -----------------------------------------------------------


def test_publishing_again_with_nothing_changed_is_refused(world, client):
    world.ready()
    with pytest.raises(ValidationError) as refused:
        world.publish()
    assert refused.value.messages == ["Nothing changed since version 1."]
    client.force_login(world.staff)
    response = client.post(url("publication_publish", world), follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Nothing changed since version 1."]
    assert PublicationVersion.objects.count() == 1
    # A new credit choice alone is a change worth a version.
    services.publication_credit_set(publication=world.publication, user=world.anonymous, choice="named")
    assert world.publish().number == 2


# --- 7. Renaming a theme asks for a new sign-off --------------------------------------------------


def test_renaming_a_theme_or_the_cohort_makes_the_sign_offs_stale(world):
    world.write()
    world.sign_off()
    assert services.missing_sign_offs(world.publication) == []
    world.theme_a.name = "Keeping volunteers"
    world.theme_a.save()
    assert services.missing_sign_offs(world.publication) == [world.harbour, world.ledger]
    world.sign_off()
    world.cohort.name = "A renamed cohort"
    world.cohort.save()
    assert services.missing_sign_offs(world.publication) == [world.harbour, world.ledger]


# --- 8. An unknown theme in the editor ------------------------------------------------------------


@pytest.mark.parametrize("theme", ["99999", "-1", "abc", ""])
def test_an_unknown_theme_keeps_the_text_and_says_so(world, client, theme):
    client.force_login(world.staff)
    response = client.post(url("publication_edit", world), {"theme": theme, "text": "Words worth keeping"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Choose which theme this synthesis is for; nothing was saved yet." in body
    assert "Words worth keeping" in body
    assert f'<option value="{world.theme_a.pk}">Sustaining volunteers</option>' in body
    assert PublicationSection.objects.count() == 0


# --- 9. Control characters and right-to-left names -----------------------------------------------


def test_control_characters_are_dropped_and_names_are_isolated_on_the_page(world, client):
    world.write(text_a="Line\x00 one\x07\r\nTwo\tthree\x1b[31m")
    assert PublicationSection.objects.get(theme=world.theme_a).text == "Line one\nTwo\tthree[31m"
    world.harbour_lead.name = "\u202eRTL\x08 Name\x1f"
    world.harbour_lead.save()
    world.credits()
    world.sign_off()
    version = world.publish()
    assert version.contributors[0]["name"] == "\u202eRTL Name"
    page = client.get(world.publication.get_absolute_url()).content.decode()
    assert "<bdi>\u202eRTL Name</bdi> (<bdi>Harbour Data</bdi>)" in page
    assert "\x00" not in page
    assert "\x07" not in page
    pdf = client.get(url("publication_pdf", world, number=1))
    assert pdf.status_code == 200
    assert "Two" in pdf_text(pdf.content)


# --- Cosmetic -------------------------------------------------------------------------------------


def test_the_bibtex_month_is_the_bare_macro(world, client):
    version = world.ready()
    bib = client.get(url("publication_bib", world, number=1)).content.decode()
    assert f"  month = {version.published_at:%b},\n".lower() in bib
    assert re.search(r"  month = (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec),\n", bib)


# --- 10. The PDF's letters ------------------------------------------------------------------------

NAMES_BEYOND_LATIN_1 = ["Zażółć Gęślą", "Пётр Ильич", "Σωκράτης αβγ", "דוד לוי", "ليلى"]


def test_the_pdf_font_has_a_glyph_for_every_letter_of_names_beyond_latin_1():
    from reportlab.pdfbase import pdfmetrics

    from outcomes.publication_documents import _fonts

    for font_name in _fonts():
        face = pdfmetrics.getFont(font_name).face
        missing = {ch for name in NAMES_BEYOND_LATIN_1 for ch in name if ch != " " and ord(ch) not in face.charToGlyph}
        assert missing == set(), font_name


def test_the_pdf_prints_polish_cyrillic_and_greek_names(world, client):
    world.write()
    world.harbour_lead.name = "Zażółć Gęślą"
    world.harbour_lead.save()
    world.anonymous.name = "Пётр Ильич"
    world.anonymous.save()
    world.credits()
    services.publication_credit_set(publication=world.publication, user=world.anonymous, choice="named")
    world.theme_b.name = "Σωκράτης αβγ"
    world.theme_b.save()
    world.sign_off()
    world.publish()
    text = pdf_text(client.get(url("publication_pdf", world, number=1)).content)
    assert "Zażółć Gęślą (Harbour Data)" in text
    assert "Пётр Ильич (Harbour Data)" in text
    assert "Σωκράτης αβγ" in text
