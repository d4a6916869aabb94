"""The cache on Redis never takes a page down: with Redis unreachable it acts as an empty cache."""

import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from cohortnet.settings import redis_cache
from tests.factories import PASSWORD, UserFactory
from tests.smtp_sink import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def nobody_answers(settings):
    """The deployment's Redis cache, pointed at a port where nothing listens."""
    settings.CACHES = {"default": redis_cache(f"redis://127.0.0.1:{free_port()}/0")}


def test_with_redis_unreachable_the_cache_is_empty_and_writes_are_dropped(nobody_answers):
    assert cache.set("k", 1) is None
    assert cache.get("k", "missing") == "missing"
    assert cache.get_many(["k"]) == {}
    assert cache.add("lock", True) is True  # as on an empty cache: allauth's rate-limit lock needs it
    assert cache.delete("k") is None


def test_with_redis_unreachable_signing_in_works_within_a_second(nobody_answers, client):
    user = UserFactory()
    started = time.monotonic()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    took = time.monotonic() - started
    assert (response.status_code, response["Location"]) == (302, reverse("dashboard"))
    assert took < 1, f"signing in took {took:.1f} s"
