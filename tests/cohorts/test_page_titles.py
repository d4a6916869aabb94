"""A refused form on a cohort's pages says so in the page's title, the first thing a screen reader reads."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cohorts import services
from cohorts.models import Message, Resource, Theme
from tests.factories import ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client):
    participant = ParticipantFactory(membership__cohort__name="Cohort North")
    client.force_login(participant.user)
    client.cohort = participant.membership.cohort
    return client


def _title(response) -> str:
    assert response.status_code == 200
    return " ".join(re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).split())


def test_a_thread_without_a_subject_is_refused_and_the_title_says_error(member):
    url = reverse("cohorts:messages", args=[member.cohort.slug])
    assert _title(member.get(url)) == "Messages · Cohort North · CohortNet"
    assert _title(member.post(url, {"subject": "", "body": "Hello"})) == "Error: Messages · Cohort North · CohortNet"
    assert Message.objects.count() == 0


def test_an_empty_reply_is_refused_and_the_title_says_error(member):
    root = services.message_post(cohort=member.cohort, author=UserFactory(is_staff=True), subject="Hi", body="Hello")
    url = reverse("cohorts:thread", args=[member.cohort.slug, root.pk])
    assert _title(member.get(url)) == "Hi · Cohort North · CohortNet"
    assert _title(member.post(url, {"body": ""})) == "Error: Hi · Cohort North · CohortNet"
    assert Message.objects.count() == 1


def test_a_resource_with_both_a_link_and_a_file_is_refused_and_the_title_says_error(member, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    url = reverse("cohorts:resources", args=[member.cohort.slug])
    assert _title(member.get(url)) == "Resources · Cohort North · CohortNet"
    upload = SimpleUploadedFile("guide.pdf", b"%PDF-1.4 guide", content_type="application/pdf")
    response = member.post(url, {"title": "Guide", "url": "https://example.org", "file": upload})
    assert _title(response) == "Error: Resources · Cohort North · CohortNet"
    assert Resource.objects.count() == 0


def test_a_contribution_without_learnings_is_refused_and_the_title_says_error(member):
    theme = Theme.objects.order_by("position").first()
    url = reverse("cohorts:contributions", args=[member.cohort.slug])
    assert _title(member.get(url, {"theme": theme.pk})) == "Shared output · Cohort North · CohortNet"
    response = member.post(url, {"theme": theme.pk, "learnings": "", "credit": "named"})
    assert _title(response) == "Error: Shared output · Cohort North · CohortNet"


def test_an_unknown_delivery_choice_is_refused_and_the_title_says_error(member):
    url = reverse("cohorts:preferences", args=[member.cohort.slug])
    assert _title(member.get(url)) == "My settings · Cohort North · CohortNet"
    assert _title(member.post(url, {"delivery": "hourly"})) == "Error: My settings · Cohort North · CohortNet"
