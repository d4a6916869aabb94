"""Agreement and invoice files: only the resource library's file types, and served only to Finance,
staff and the organisation's lead contact, as downloads."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from funding import services
from funding.models import Award, FundingChange, Instalment
from tests.factories import AwardFactory, OrganisationPersonFactory, ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db

AGREEMENT = b"%PDF-1.4 the signed agreement"
INVOICE = b"%PDF-1.7 invoice INV-1"
ALLOWED = "csv, docx, jpeg, jpg, md, odp, ods, odt, pdf, png, pptx, txt, xlsx"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def files():
    """An award with a signed agreement and an instalment with an invoice, uploaded through the services."""
    award = AwardFactory(amount=Decimal("20000.00"))
    award = services.award_update(
        award=award, by=None, agreement_file=SimpleUploadedFile("Signed agreement.PDF", AGREEMENT)
    )
    instalment = services.instalment_schedule(
        award=award,
        amount=Decimal("5000.00"),
        due_on=date(2027, 1, 31),
        by=None,
        invoice_reference="INV-1",
        invoice_file=SimpleUploadedFile("inv-1.pdf", INVOICE),
    )
    return award, instalment


def _people(award):
    finance = UserFactory(is_staff=True)
    finance.groups.add(Group.objects.get(name="Finance"))
    organisation = award.membership.organisation
    return {
        "finance": finance,
        "staff": UserFactory(is_staff=True),
        "lead contact": OrganisationPersonFactory(organisation=organisation, role="lead").user,
        # A colleague at the organisation who is not its lead contact, also a participant of the cohort.
        "colleague": ParticipantFactory(
            membership=award.membership, user=OrganisationPersonFactory(organisation=organisation, role="member").user
        ).user,
        "another organisation's lead": OrganisationPersonFactory(role="lead").user,
        "signed in": UserFactory(),
    }


EXPECTED = {
    "finance": 200,
    "staff": 200,
    "lead contact": 200,
    "colleague": 404,
    "another organisation's lead": 404,
    "signed in": 404,
}


@pytest.mark.parametrize("which", ["agreement", "invoice"])
def test_each_role_gets_its_status_and_the_allowed_get_the_bytes_as_an_attachment(client, files, which):
    award, instalment = files
    url = award.get_agreement_url() if which == "agreement" else instalment.get_invoice_url()
    body = AGREEMENT if which == "agreement" else INVOICE
    filename = f"agreement-{award.pk}.pdf" if which == "agreement" else f"invoice-{instalment.pk}.pdf"
    agreement_url = f"/funding/awards/{award.pk}/agreement/"
    invoice_url = f"/funding/instalments/{instalment.pk}/invoice/"
    assert url == (agreement_url if which == "agreement" else invoice_url)
    seen = {}
    for role, user in _people(award).items():
        client.force_login(user)
        response = client.get(url)
        seen[role] = response.status_code
        if response.status_code == 200:
            assert b"".join(response.streaming_content) == body
            assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
            assert response["Content-Type"] == "application/pdf"
            assert response["X-Content-Type-Options"] == "nosniff"
            assert response["Cache-Control"] == "private, no-store"
    assert seen == EXPECTED
    client.logout()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_missing_file_or_object_is_a_404_even_for_staff(client, files):
    award, instalment = files
    client.force_login(UserFactory(is_staff=True))
    bare = services.instalment_schedule(award=award, amount=Decimal("1.00"), due_on=date(2027, 1, 31), by=None)
    assert client.get(bare.get_invoice_url()).status_code == 404
    assert client.get(reverse("funding:invoice_file", args=[instalment.pk + 1000])).status_code == 404
    assert client.get(AwardFactory().get_agreement_url()).status_code == 404
    # Stored once, then gone from the disk: still a 404, not a 500.
    instalment.invoice_file.storage.delete(instalment.invoice_file.name)
    assert client.get(instalment.get_invoice_url()).status_code == 404


def test_the_admins_file_links_point_at_the_permission_checked_view(client, files):
    award, instalment = files
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:funding_award_change", args=[award.pk])).content.decode()
    assert f'href="/funding/awards/{award.pk}/agreement/"' in page
    assert "/media/" not in page
    page = client.get(reverse("admin:funding_instalment_change", args=[instalment.pk])).content.decode()
    assert f'href="/funding/instalments/{instalment.pk}/invoice/"' in page
    assert "/media/" not in page


@pytest.fixture
def admin_client_(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("invoice.exe", b"MZ\x90\x00", f"Files of type “.exe” cannot be shared. Allowed: {ALLOWED}."),
        ("invoice.html", b"<script>alert(1)</script>", f"Files of type “.html” cannot be shared. Allowed: {ALLOWED}."),
        ("invoice.pdf", b"<html>not a pdf</html>", "This file does not look like a PDF."),
    ],
)
def test_the_admin_instalment_form_refuses_a_file_type_the_library_refuses(admin_client_, name, content, message):
    award = AwardFactory()
    response = admin_client_.post(
        reverse("admin:funding_instalment_add"),
        {
            "award": award.pk,
            "amount": "1000.00",
            "due_on": "2027-01-31",
            "invoice_reference": "INV-9",
            "invoice_file": SimpleUploadedFile(name, content),
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"invoice_file": [message]}
    assert Instalment.objects.count() == 0
    assert FundingChange.objects.count() == 0


def test_the_admin_award_form_refuses_an_agreement_of_another_type_and_keeps_the_old_one(admin_client_, files):
    award, _instalment = files
    stored = award.agreement_file.name
    response = admin_client_.post(
        reverse("admin:funding_award_change", args=[award.pk]),
        {
            "amount": "20000.00",
            "status": "offered",
            "vat_note": "",
            "notes": "",
            "agreement_signed_on": "",
            "agreement_file": SimpleUploadedFile("agreement.svg", b"<svg onload=alert(1)>"),
            "instalments-TOTAL_FORMS": "1",
            "instalments-INITIAL_FORMS": "1",
            "instalments-0-id": str(_instalment.pk),
            "instalments-0-award": str(award.pk),
            "changes-TOTAL_FORMS": "0",
            "changes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "agreement_file": [f"Files of type “.svg” cannot be shared. Allowed: {ALLOWED}."]
    }
    assert Award.objects.get(pk=award.pk).agreement_file.name == stored


def test_an_allowed_invoice_uploaded_in_the_admin_change_form_is_stored_and_in_the_history(admin_client_, files):
    _award, instalment = files
    response = admin_client_.post(
        reverse("admin:funding_instalment_change", args=[instalment.pk]),
        {"due_on": "2027-01-31", "invoice_reference": "INV-1", "invoice_file": SimpleUploadedFile("v2.xlsx", b"PK..")},
    )
    assert response.status_code == 302
    instalment.refresh_from_db()
    assert instalment.invoice_file.name.endswith(".xlsx")
    change = FundingChange.objects.get(action="instalment changed")
    assert change.before["invoice_file"].endswith(".pdf")
    assert change.after["invoice_file"] == instalment.invoice_file.name


def test_the_award_page_links_the_files_for_the_lead_contact_only(client, files):
    award, instalment = files
    people = _people(award)
    lead = people["lead contact"]
    ParticipantFactory(membership=award.membership, user=lead)
    client.force_login(lead)
    page = client.get(award.get_absolute_url()).content.decode()
    # The link is a button with an icon since the design system; what matters is its target and text.
    agreement = re.search(r'<a class="btn[^"]*" href="([^"]+)">.*?Download the signed agreement</a>', page, re.S)
    assert agreement is not None
    assert agreement.group(1) == f"/funding/awards/{award.pk}/agreement/"
    assert f'<a href="/funding/instalments/{instalment.pk}/invoice/">download' in page
    client.force_login(people["colleague"])
    page = client.get(award.get_absolute_url()).content.decode()
    assert "/agreement/" not in page
    assert "/invoice/" not in page
