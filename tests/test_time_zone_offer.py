"""Time zones without a hidden setting: "your time" beside event times, and the offer to save the browser's zone."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from toolbox.timezones import BROWSER_ZONE_COOKIE

# 14:00 in London on 1 December is 23:00 in Tokyo (no summer time in either).
INSTANT = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
TOKYO_TEXT = '<span class="your-time">Tue 1 Dec, 23:00 JST, your time</span>'


def _render(user=None, cookie=None, zone="Europe/London", value=INSTANT) -> str:
    request = RequestFactory().get("/")
    request.user = user or AnonymousUser()
    if cookie is not None:
        request.COOKIES[BROWSER_ZONE_COOKIE] = cookie
    template = Template("{% load zones %}{% your_time value zone %}")
    return template.render(Context({"request": request, "value": value, "zone": zone}))


class TestYourTime:
    def test_anonymous_visitor_in_another_zone_sees_their_time(self):
        assert _render(cookie="Asia/Tokyo") == TOKYO_TEXT

    def test_url_encoded_cookie_is_read(self):
        assert _render(cookie="Asia%2FTokyo") == TOKYO_TEXT

    def test_same_zone_shows_nothing(self):
        assert _render(cookie="Europe/London") == ""

    def test_same_clock_in_another_zone_shows_nothing(self):
        # Lisbon keeps London's clock in December: "your time" would repeat the event's time.
        assert _render(cookie="Europe/Lisbon") == ""

    def test_no_zone_known_shows_nothing(self):
        assert _render() == ""

    @pytest.mark.parametrize(
        "hostile",
        ["Mars/Olympus", "<script>alert(1)</script>", "../../etc/passwd", "Asia/Tokyo\x00", "A" * 5000, ""],
    )
    def test_hostile_cookie_is_ignored(self, hostile):
        assert _render(cookie=hostile) == ""

    def test_numeric_abbreviations_read_as_utc_offsets(self):
        assert _render(cookie="Asia/Dubai") == '<span class="your-time">Tue 1 Dec, 18:00 UTC+04, your time</span>'

    def test_summer_time_abbreviation_follows_the_instant(self):
        summer = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
        assert _render(cookie="Europe/London", zone="Asia/Tokyo", value=summer) == (
            '<span class="your-time">Wed 1 Jul, 10:00 BST, your time</span>'
        )

    def test_no_request_in_context_shows_nothing(self):
        template = Template("{% load zones %}{% your_time value zone %}")
        assert template.render(Context({"value": INSTANT, "zone": "Europe/London"})) == ""

    @pytest.mark.django_db
    def test_chosen_zone_wins_over_the_browser(self):
        user = UserFactory(time_zone="America/New_York", time_zone_confirmed_at=timezone.now())
        assert _render(user=user, cookie="Asia/Tokyo") == (
            '<span class="your-time">Tue 1 Dec, 09:00 EST, your time</span>'
        )

    @pytest.mark.django_db
    def test_unchosen_default_gives_way_to_the_browser(self):
        user = UserFactory(time_zone="America/New_York")
        assert _render(user=user, cookie="Asia/Tokyo") == TOKYO_TEXT

    @pytest.mark.django_db
    def test_unchosen_default_without_browser_cookie_is_used(self):
        user = UserFactory(time_zone="America/New_York")
        assert _render(user=user) == '<span class="your-time">Tue 1 Dec, 09:00 EST, your time</span>'

    @pytest.mark.django_db
    def test_chosen_zone_same_as_event_shows_nothing(self):
        user = UserFactory(time_zone="Europe/London", time_zone_confirmed_at=timezone.now())
        assert _render(user=user, cookie="Asia/Tokyo") == ""


@pytest.mark.django_db
class TestSaveView:
    url = reverse("users:time_zone")

    def test_valid_zone_is_saved_and_marked_chosen(self, client):
        user = UserFactory()
        client.force_login(user)
        response = client.post(self.url, {"time_zone": "Asia/Tokyo", "next": "/events/calendar/?x=1"})
        assert response.status_code == 302
        assert response["Location"] == "/events/calendar/?x=1"
        user.refresh_from_db()
        assert user.time_zone == "Asia/Tokyo"
        assert user.time_zone_confirmed_at is not None
        page = client.get(reverse("profile"))
        assert (
            "Times are now shown in your time, Asia/Tokyo (JST). Emails and reminders use it too."
            in page.content.decode()
        )

    def test_keeping_the_saved_zone_counts_as_a_choice(self, client):
        user = UserFactory()
        client.force_login(user)
        response = client.post(self.url, {"time_zone": "Europe/London", "next": "/profile/"}, follow=True)
        user.refresh_from_db()
        assert user.time_zone == "Europe/London"
        assert user.time_zone_confirmed_at is not None
        assert "Kept: times stay in Europe/London (G" in response.content.decode()

    @pytest.mark.parametrize("zone", ["Mars/Olympus", "", "<b>x</b>", "A" * 500])
    def test_unknown_zone_is_refused_with_a_message(self, client, zone):
        user = UserFactory()
        client.force_login(user)
        response = client.post(self.url, {"time_zone": zone, "next": "/profile/"})
        assert response.status_code == 400
        body = response.content.decode()
        assert "We could not save that time zone" in body
        assert "is not a time zone name. Use an IANA name such as Europe/London." in body
        assert "<b>x</b>" not in body
        user.refresh_from_db()
        assert user.time_zone == "Europe/London"
        assert user.time_zone_confirmed_at is None

    @pytest.mark.parametrize(
        "target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "https:///evil.example"]
    )
    def test_foreign_next_is_not_followed(self, client, target):
        client.force_login(UserFactory())
        response = client.post(self.url, {"time_zone": "Asia/Tokyo", "next": target})
        assert response.status_code == 302
        assert response["Location"] == reverse("dashboard")

    def test_get_is_not_allowed(self, client):
        user = UserFactory()
        client.force_login(user)
        assert client.get(self.url, {"time_zone": "Asia/Tokyo"}).status_code == 405
        user.refresh_from_db()
        assert user.time_zone == "Europe/London"

    def test_anonymous_post_is_sent_to_sign_in(self, client):
        response = client.post(self.url, {"time_zone": "Asia/Tokyo"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))

    def test_csrf_is_required(self):
        from django.test import Client

        user = UserFactory()
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        assert client.post(self.url, {"time_zone": "Asia/Tokyo"}).status_code == 403
        user.refresh_from_db()
        assert user.time_zone == "Europe/London"


@pytest.mark.django_db
class TestOffer:
    """The offer is on every page (base.html); the server shows it when the cookie says the browser differs."""

    def _offer(self, client, cookie=None):
        if cookie is not None:
            client.cookies[BROWSER_ZONE_COOKIE] = cookie
        body = client.get(reverse("profile")).content.decode()
        start = body.find('<section id="tz-offer"')
        return None if start == -1 else body[start : body.index("</section>", start)]

    def test_not_for_anonymous_visitors(self, client):
        client.cookies[BROWSER_ZONE_COOKIE] = "Asia/Tokyo"
        assert 'id="tz-offer"' not in client.get(reverse("home")).content.decode()

    def test_shown_when_browser_zone_differs(self, client):
        client.force_login(UserFactory())
        offer = self._offer(client, "Asia/Tokyo")
        assert offer is not None
        assert " hidden" not in offer.split(">", 1)[0]
        said = "Your browser says you are in <strong data-tz-name>Asia/Tokyo</strong>"
        assert f"{said} <span data-tz-abbreviation>(JST)</span>. Show times in your time?" in offer
        assert 'name="time_zone" value="Asia/Tokyo"' in offer
        assert 'name="time_zone" value="Europe/London"' in offer
        assert "Keep Europe/London" in offer
        assert 'name="next" value="/profile/"' in offer

    def test_rendered_hidden_for_the_script_without_a_cookie(self, client):
        client.force_login(UserFactory())
        offer = self._offer(client)
        assert offer is not None
        assert offer.split(">", 1)[0].endswith(" hidden")
        assert 'data-saved-zone="Europe/London"' in offer

    def test_hidden_when_browser_zone_is_the_saved_one(self, client):
        client.force_login(UserFactory())
        assert self._offer(client, "Europe/London").split(">", 1)[0].endswith(" hidden")

    def test_hidden_for_a_hostile_cookie(self, client):
        client.force_login(UserFactory())
        offer = self._offer(client, '"><script>alert(1)</script>')
        assert offer.split(">", 1)[0].endswith(" hidden")
        assert "<script>alert" not in offer

    def test_never_again_after_a_choice(self, client):
        user = UserFactory()
        client.force_login(user)
        client.post(reverse("users:time_zone"), {"time_zone": "Europe/London"})
        assert self._offer(client, "Asia/Tokyo") is None

    def test_a_page_drawn_for_a_post_sends_people_home_afterwards(self, client):
        # The profile form with an error: its URL answers a GET too, but a POST-only page would not.
        client.force_login(UserFactory())
        client.cookies[BROWSER_ZONE_COOKIE] = "Asia/Tokyo"
        body = client.post(reverse("profile"), {"name": "", "time_zone": "Nowhere"}).content.decode()
        assert '<section id="tz-offer"' in body
        assert '<input type="hidden" name="next" value="">' in body
