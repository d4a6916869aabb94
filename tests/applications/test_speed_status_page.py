"""The applicant's status page at a flat, small number of queries (issue #20), showing the same things."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, InterviewSlot
from tests.factories import ApplicationFactory, OrganisationPersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant_client(client):
    application = ApplicationFactory(status=Application.Status.SUBMITTED, submitted_at=timezone.now())
    OrganisationPersonFactory(organisation=application.organisation, user=application.created_by)
    client.force_login(application.created_by)
    client.application = application
    return client


def test_the_status_page_reads_the_interview_with_the_application(applicant_client):
    url = reverse("applications:detail", args=[applicant_client.application.pk])
    applicant_client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert applicant_client.get(url).status_code == 200
    # session, user, the person's groups and reviews (one), the application with its call, cohort,
    # organisation and interview slot (one), may they see it, the call's questions, the themes chosen
    assert len(queries) == 7
    assert not any(
        "applications_interviewslot" in q["sql"] and 'FROM "applications_interviewslot"' in q["sql"]
        for q in queries.captured_queries
    )


def test_a_booked_interview_still_shows_with_its_host(applicant_client):
    application = applicant_client.application
    application.shortlisted_at = timezone.now()
    application.save()
    starts = timezone.now() + timedelta(days=3)
    InterviewSlot.objects.create(
        call=application.call,
        host=UserFactory(name="Ada Host"),
        starts_at=starts,
        ends_at=starts + timedelta(minutes=30),
        application=application,
        online_url="https://meet.example/ada",
    )
    page = applicant_client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert "Your interview" in page
    assert "with Ada Host" in page
    assert 'href="https://meet.example/ada"' in page
