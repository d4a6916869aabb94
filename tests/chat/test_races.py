"""Read markers and rooms under real concurrency, on PostgreSQL: one row each, and a marker never moves back."""

import pytest

from chat.models import ReadMarker, Room
from chat.services import message_post, room_get_or_create, room_mark_read
from tests.helpers import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_marking_a_room_read_at_once_from_many_tabs_keeps_one_marker_at_the_newest(room, maya, tomas):
    ids = [message_post(room=room, author=tomas, body=f"line {n}").pk for n in range(8)]
    for _round in range(5):
        ReadMarker.objects.all().delete()
        errors = race(ids, lambda pk: room_mark_read(user=maya, room=room, up_to_id=pk))
        assert errors == []
        assert list(ReadMarker.objects.values_list("user_id", "last_read_id")) == [(maya.pk, ids[-1])]


def test_opening_a_new_room_at_once_makes_it_once(cohort):
    for _round in range(5):
        Room.objects.all().delete()
        errors = race(range(6), lambda _n: room_get_or_create(cohort=cohort))
        assert errors == []
        assert Room.objects.filter(cohort=cohort).count() == 1
