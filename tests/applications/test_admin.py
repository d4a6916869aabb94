"""applications/admin.py: the CSV export action."""

import csv
import io

import pytest
from django.urls import reverse

from applications.models import Application
from applications.services import application_transition
from tests.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_admin_csv_export_has_answers_scores_and_no_formulas(client, django_assert_num_queries):
    staff = UserFactory(is_staff=True, is_superuser=True)
    application = ApplicationFactory(licence="=cmd|' /C calc'!A0", status=Application.Status.SUBMITTED)
    application_transition(application=application, to=Application.Status.UNDER_REVIEW, by=staff)
    client.force_login(staff)
    response = client.post(
        reverse("admin:applications_application_changelist"),
        {"action": "export_csv", "_selected_action": [application.pk]},
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["id", "call", "organisation"]
    assert rows[1][2] == application.organisation.name
    assert rows[1][8] == "'=cmd|' /C calc'!A0"
    assert rows[1][5] == "Under review"
