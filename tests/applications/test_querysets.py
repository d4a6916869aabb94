"""The named querysets in applications/models.py: one home per rule, at its boundaries."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from applications.models import Application, OpenCall
from tests.factories import ApplicationFactory, OpenCallFactory

pytestmark = pytest.mark.django_db

AT = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
TICK = timedelta(microseconds=1)


def _call(slug, *, opens_at, closes_at):
    return OpenCallFactory(slug=slug, opens_at=opens_at, closes_at=closes_at)


def test_open_includes_both_ends_and_nothing_beyond():
    _call("opens-now", opens_at=AT, closes_at=AT + timedelta(days=1))
    _call("closes-now", opens_at=AT - timedelta(days=1), closes_at=AT)
    _call("closed-a-tick-ago", opens_at=AT - timedelta(days=1), closes_at=AT - TICK)
    _call("opens-in-a-tick", opens_at=AT + TICK, closes_at=AT + timedelta(days=1))

    assert sorted(OpenCall.objects.open(at=AT).values_list("slug", flat=True)) == ["closes-now", "opens-now"]
    # The instance method says the same for every call.
    assert sorted(c.slug for c in OpenCall.objects.all() if c.is_open(AT)) == ["closes-now", "opens-now"]


def test_open_defaults_to_now():
    _call("closes-now", opens_at=AT - timedelta(days=1), closes_at=AT)

    with time_machine.travel(AT, tick=False):
        assert list(OpenCall.objects.open().values_list("slug", flat=True)) == ["closes-now"]
    with time_machine.travel(AT + TICK, tick=False):
        assert list(OpenCall.objects.open().values_list("slug", flat=True)) == []


def test_open_first_orders_open_then_upcoming_then_closed_each_by_closing_time():
    day = timedelta(days=1)
    _call("closed-late", opens_at=AT - 9 * day, closes_at=AT - day)
    _call("closed-early", opens_at=AT - 9 * day, closes_at=AT - 2 * day)
    _call("upcoming", opens_at=AT + TICK, closes_at=AT + 3 * day)
    _call("open-long", opens_at=AT - day, closes_at=AT + 5 * day)
    _call("closes-now", opens_at=AT - day, closes_at=AT)

    rows = list(OpenCall.objects.open_first(at=AT).values_list("slug", "state_order"))

    assert rows == [
        ("closes-now", 0),
        ("open-long", 0),
        ("upcoming", 1),
        ("closed-early", 2),
        ("closed-late", 2),
    ]


def _application(name, *, closes_at, extension=None, **kwargs):
    call = _call(name, opens_at=closes_at - timedelta(days=30), closes_at=closes_at)
    return ApplicationFactory(call=call, deadline_extended_until=extension, **kwargs)


@pytest.fixture
def boundary_applications():
    """Each name says where its deadline stands against AT."""
    hour = timedelta(hours=1)
    return {
        "closes-now": _application("closes-now", closes_at=AT),
        "closed-a-tick-ago": _application("closed-a-tick-ago", closes_at=AT - TICK),
        # Extended beyond the close: the extension is the deadline.
        "closed-extended-to-now": _application("closed-extended-to-now", closes_at=AT - hour, extension=AT),
        "closed-extended-to-a-tick-ago": _application(
            "closed-extended-to-a-tick-ago", closes_at=AT - hour, extension=AT - TICK
        ),
        # An "extension" earlier than the close never shortens the time: the close is the deadline.
        "open-shortened-to-past": _application("open-shortened-to-past", closes_at=AT + hour, extension=AT - hour),
        "closed-shortened": _application("closed-shortened", closes_at=AT - TICK, extension=AT - hour),
    }


def test_with_deadline_is_the_later_of_close_and_extension_as_the_property_says(boundary_applications):
    hour = timedelta(hours=1)
    expected = {
        "closes-now": AT,
        "closed-a-tick-ago": AT - TICK,
        "closed-extended-to-now": AT,
        "closed-extended-to-a-tick-ago": AT - TICK,
        "open-shortened-to-past": AT + hour,
        "closed-shortened": AT - TICK,
    }

    rows = {a.call.slug: a for a in Application.objects.with_deadline().select_related("call")}

    assert {slug: a.deadline_at for slug, a in rows.items()} == expected
    assert {slug: a.deadline for slug, a in rows.items()} == expected


def test_deadline_between_finds_the_later_of_close_and_extension_inclusive():
    hour = timedelta(hours=1)
    start, end = AT, AT + 2 * hour
    _application("closes-at-start", closes_at=start)
    _application("closes-at-end", closes_at=end)
    _application("closes-after-end", closes_at=end + TICK)
    # Closed before the window, extended into it.
    _application("extended-into-window", closes_at=start - hour, extension=start + hour)
    # Closes in the window but extended beyond it: not due in this window.
    _application("extended-out-of-window", closes_at=start + hour, extension=end + hour)
    # The extension falls in the window but is earlier than the close, which is after the window.
    _application("shortened-into-window", closes_at=end + hour, extension=start + hour)

    due = dict(Application.objects.deadline_between(start, end).values_list("call__slug", "deadline_at"))

    assert due == {
        "closes-at-start": start,
        "closes-at-end": end,
        "extended-into-window": start + hour,
    }


def test_live_leaves_out_only_the_withdrawn():
    closes_at = AT + timedelta(days=1)
    for status in Application.Status.values:
        _application(status, closes_at=closes_at, status=status)

    live = sorted(Application.objects.live().values_list("status", flat=True))

    assert live == sorted(s for s in Application.Status.values if s != "withdrawn")
    assert len(live) == 8
