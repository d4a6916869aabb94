"""The access log: every CSV export, staff download of a private file and data download, read-only to staff."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from applications.models import Application
from privacy.models import AccessRecord
from tests.factories import ApplicationFactory, UserFactory
from tests.helpers import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _records():
    return list(AccessRecord.objects.order_by("pk").values_list("who__email", "kind", "what", "rows", "ip"))


def test_the_funding_csv_exports_are_recorded_with_who_and_how_many_rows(client):
    world = World()
    staff = world.users["staff"]
    client.force_login(staff)
    slug = world.cohort_x.slug
    assert client.get(reverse("funding:export_instalments", kwargs={"slug": slug})).status_code == 200
    assert client.get(reverse("funding:export_history", kwargs={"slug": slug})).status_code == 200
    history_rows = world.award.changes.count()
    assert _records() == [
        (staff.email, "csv_export", f"{slug}-instalments.csv", 1, "127.0.0.1"),
        (staff.email, "csv_export", f"{slug}-funding-history.csv", history_rows, "127.0.0.1"),
    ]


def test_the_applications_csv_action_is_recorded(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    ApplicationFactory.create_batch(3, status=Application.Status.SUBMITTED)
    client.force_login(staff)
    response = client.post(
        reverse("admin:applications_application_changelist"),
        {"action": "export_csv", ACTION_CHECKBOX_NAME: list(Application.objects.values_list("pk", flat=True))},
    )
    assert response.status_code == 200
    assert _records() == [(staff.email, "csv_export", "applications.csv", 3, "127.0.0.1")]


def test_staff_opening_an_organisations_files_is_recorded_and_the_lead_opening_their_own_is_not(client):
    world = World()
    client.force_login(world.users["finance"])
    assert client.get(world.award.get_agreement_url()).status_code == 200
    assert client.get(world.instalment.get_invoice_url()).status_code == 200
    client.force_login(world.participant.user)  # the organisation's lead
    assert client.get(world.award.get_agreement_url()).status_code == 200
    finance = world.users["finance"].email
    assert _records() == [
        (finance, "file_download", f"signed agreement of award {world.award.pk}", None, "127.0.0.1"),
        (finance, "file_download", f"invoice of instalment {world.instalment.pk}", None, "127.0.0.1"),
    ]


def test_a_file_that_is_not_there_records_nothing(client):
    world = World()
    world.award.agreement_file = ""
    world.award.save(update_fields=["agreement_file"])
    client.force_login(world.users["staff"])
    assert client.get(world.award.get_agreement_url()).status_code == 404
    assert _records() == []


def test_the_client_address_is_the_one_the_trusted_proxies_name(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    world = World()
    client.force_login(world.users["staff"])
    client.get(world.award.get_agreement_url(), HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7")
    client.get(world.award.get_agreement_url(), HTTP_X_FORWARDED_FOR="not an address")
    assert [r[-1] for r in _records()] == ["198.51.100.7", None]


def test_staff_read_the_log_and_nobody_edits_it(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    record = AccessRecord.objects.create(who=admin, kind=AccessRecord.Kind.CSV_EXPORT, what="x.csv", rows=2)
    client.force_login(admin)
    changelist = reverse("admin:privacy_accessrecord_changelist")
    assert client.get(changelist).status_code == 200
    assert client.get(changelist, {"kind__exact": "csv_export"}).context["cl"].result_count == 1
    assert client.get(changelist, {"kind__exact": "erasure"}).context["cl"].result_count == 0
    assert client.get(reverse("admin:privacy_accessrecord_add")).status_code == 403
    assert client.get(reverse("admin:privacy_accessrecord_delete", args=[record.pk])).status_code == 403
    page = client.get(reverse("admin:privacy_accessrecord_change", args=[record.pk]))
    assert (page.status_code, page.context["has_change_permission"]) == (200, False)
    assert client.post(reverse("admin:privacy_accessrecord_change", args=[record.pk]), {"what": "y"}).status_code == 403
    record.refresh_from_db()
    assert record.what == "x.csv"


@pytest.mark.parametrize("rows", [1, 20])
def test_the_log_lists_in_the_same_number_of_queries_whatever_its_length(client, django_assert_num_queries, rows):
    admin = UserFactory(is_staff=True, is_superuser=True)
    for n in range(rows):
        AccessRecord.objects.create(who=UserFactory(), kind=AccessRecord.Kind.CSV_EXPORT, what=f"{n}.csv")
    client.force_login(admin)
    with django_assert_num_queries(7):
        assert client.get(reverse("admin:privacy_accessrecord_changelist")).status_code == 200


def test_staff_opening_a_cohorts_resource_file_is_recorded_and_a_participant_opening_it_is_not(client):
    world = World()
    url = reverse("cohorts:resource_file", args=[world.cohort_x.slug, world.resource.pk])
    client.force_login(world.participant.user)
    assert client.get(url).status_code == 200
    assert _records() == []
    client.force_login(world.users["staff"])
    assert client.get(url).status_code == 200
    assert _records() == [
        (
            world.users["staff"].email,
            "file_download",
            f"resource {world.resource.pk} of {world.cohort_x.slug}",
            None,
            "127.0.0.1",
        )
    ]
