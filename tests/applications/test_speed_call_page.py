"""The open call page is cached until its next edit or change of phase (issue #20): never stale after a write.

Each test renders the page (filling the cache), writes what the page shows through the ORM (there is
no service for calls, FAQ or themes: staff edit them in the admin) and through the admin's form, and
reads the new value back.
"""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import FaqItem
from cohorts.models import Theme
from tests.factories import OpenCallFactory, UserFactory
from tests.test_admin_refusals import admin_form_data, inline_index
from toolbox.timezones import BROWSER_ZONE_COOKIE

pytestmark = pytest.mark.django_db


@pytest.fixture
def call():
    now = timezone.now()
    call = OpenCallFactory(
        title="Stewards 2027", opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=20), time_zone="UTC"
    )
    theme = Theme.objects.order_by("pk").first()
    call.themes.set([theme])
    FaqItem.objects.create(call=call, position=1, question="Who decides?", answer="Programme staff.")
    return call


def page(call, client=None) -> str:
    return (client or Client()).get(reverse("applications:call_detail", args=[call.slug])).content.decode()


@pytest.fixture
def staff_client(client, staff):
    return client


def _admin_post(staff_client, url, change):
    data = admin_form_data(staff_client.get(url))
    change(data)
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]


def test_a_cached_page_is_one_query(call):
    page(call)
    with CaptureQueriesContext(connection) as queries:
        assert "Stewards 2027" in page(call)
    assert len(queries) == 1  # the call with its cohort; themes and FAQ come from the cached fragment


def test_the_calls_own_fields_edited_show_at_once(call, staff_client):
    assert "Programme staff" in page(call)
    call.description = "A brand new **story**."
    call.save()
    assert "brand new <strong>story</strong>" in page(call)
    url = reverse("admin:applications_opencall_change", args=[call.pk])
    _admin_post(staff_client, url, lambda d: d.update(eligibility="Only lighthouse keepers."))
    assert "Only lighthouse keepers." in page(call)


def test_faq_added_edited_and_deleted_show_at_once(call, staff_client):
    assert "Who decides?" in page(call)
    item = FaqItem.objects.create(call=call, position=2, question="Can we apply twice?", answer="No.")
    assert "Can we apply twice?" in page(call)
    item.question = "May we apply twice?"
    item.save()
    assert "May we apply twice?" in page(call)
    item.delete()
    assert "apply twice" not in page(call)
    url = reverse("admin:applications_opencall_change", args=[call.pk])
    first = call.faq_items.get()

    def edit(data):
        data[f"faq_items-{inline_index(data, 'faq_items', first.pk)}-question"] = "Who chooses?"

    _admin_post(staff_client, url, edit)
    assert "Who chooses?" in page(call)
    assert "Who decides?" not in page(call)

    def add(data):
        data.update({"faq_items-TOTAL_FORMS": "2", "faq_items-1-position": "5"})
        data.update({"faq_items-1-question": "When do we hear?", "faq_items-1-answer": "By *September*."})

    _admin_post(staff_client, url, add)
    assert "When do we hear?" in page(call)

    def delete(data):
        data[f"faq_items-{inline_index(data, 'faq_items', first.pk)}-DELETE"] = "on"

    _admin_post(staff_client, url, delete)
    assert "Who chooses?" not in page(call)


def test_themes_of_the_call_and_their_text_show_at_once(call, staff_client):
    theme, other = Theme.objects.order_by("pk")[:2]
    assert theme.name in page(call)
    assert other.name not in page(call)
    call.themes.add(other)
    assert other.name in page(call)
    other.open_calls.remove(call)
    assert other.name not in page(call)
    theme.description = "Rivers and their gauges."
    theme.save()
    assert "Rivers and their gauges." in page(call)
    # In the admin: the call's themes, then the theme's own text.
    url = reverse("admin:applications_opencall_change", args=[call.pk])
    _admin_post(staff_client, url, lambda d: d.update(themes=[str(other.pk)]))
    content = page(call)
    assert other.name in content
    assert "Rivers and their gauges." not in content
    url = reverse("admin:cohorts_theme_change", args=[other.pk])
    _admin_post(staff_client, url, lambda d: d.update(description="Tides, told by the admin."))
    assert "Tides, told by the admin." in page(call)
    other.delete()
    assert "Tides, told by the admin." not in page(call)


def test_the_cohorts_name_and_dates_show_at_once(call, staff_client):
    assert call.cohort.name in page(call)
    url = reverse("admin:cohorts_cohort_change", args=[call.cohort.pk])
    _admin_post(staff_client, url, lambda d: d.update(name="Cohort of the Tides"))
    assert "Cohort of the Tides" in page(call)


def test_the_page_follows_the_calls_phase(call):
    assert "Apply now" in page(call)
    with time_machine.travel(call.closes_at + timedelta(minutes=1)):
        content = page(call)
    assert "This opportunity is now closed." in content
    assert "Apply now" not in content
    with time_machine.travel(call.opens_at - timedelta(minutes=1)):
        assert "Applications open on" in page(call)


def test_each_viewer_sees_their_own_parts(call):
    anonymous = page(call)
    assert "You will be asked to sign in" in anonymous
    member = Client()
    member.force_login(UserFactory())
    assert "You will be asked to sign in" not in page(call, member)
    # The closing time in the viewer's own zone is theirs alone.
    tokyo = Client()
    tokyo.cookies[BROWSER_ZONE_COOKIE] = "Asia/Tokyo"
    assert "JST, your time" in page(call, tokyo)
    assert "JST, your time" not in page(call)
