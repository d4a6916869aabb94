"""The participants' and messages' admin lists keep short columns, so they fit a 1280 px screen (see the e2e test)."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from cohorts import services
from cohorts.models import Message, Theme
from tests.factories import ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _column(html: str, name: str) -> list[str]:
    cells = re.findall(rf'<td class="field-{name}[^"]*">(.*?)</td>', html, re.S)
    return [" ".join(cell.split()) for cell in cells]


def test_the_participants_mail_column_names_each_choice_in_a_word(staff_client):
    for delivery in ["each", "digest", "none"]:
        ParticipantFactory(delivery=delivery)
    html = staff_client.get(reverse("admin:cohorts_participant_changelist") + "?o=5").content.decode()
    heading = re.search(r"<th[^>]*column-mail[^>]*>(.*?)</th>", html, re.S).group(1)
    assert re.sub(r"<[^>]+>", " ", heading).split() == ["Mail"]
    assert _column(html, "mail") == ["Daily", "Every", "None"]
    assert "Email me the cohort" not in html.split('id="result_list"')[1]


def test_the_messages_theme_and_time_columns_are_plain_text_that_wraps(staff_client, settings):
    settings.TIME_ZONE = "UTC"
    participant = ParticipantFactory()
    theme = Theme.objects.get(slug="collaborative-data")
    message = services.message_post(
        cohort=participant.membership.cohort, author=participant.user, subject="Hi", body="Hello", theme=theme
    )
    Message.objects.filter(pk=message.pk).update(created_at=datetime(2026, 11, 26, 21, 14, tzinfo=ZoneInfo("UTC")))
    html = staff_client.get(reverse("admin:cohorts_message_changelist")).content.decode()
    assert _column(html, "theme_name") == ["Collaborative data collection and maintenance"]
    assert _column(html, "posted") == ["26 Nov 2026, 9:14 p.m."]
    assert 'class="field-theme_name nowrap"' not in html
    assert 'class="field-posted nowrap"' not in html
