"""Print a time in a named zone, with the zone beside it, as every page must."""

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html

from toolbox.timezones import browser_zone, in_zone, is_time_zone, viewer_zone, zone_abbreviation

register = template.Library()


@register.filter
def zoned(value, zone_name: str) -> str:
    """``{{ event.starts_at|zoned:event.time_zone }}`` → "Tue 1 Dec 2026, 14:00 GMT (Europe/London)".

    The abbreviation is the zone's own for that instant, also in the hour
    that happens twice when clocks go back (01:30 BST, then 01:30 GMT).
    """
    if not value or not zone_name:
        return ""
    local = in_zone(value, zone_name)
    return f"{date_format(local, 'D j M Y, H:i')} {local.tzname()} ({zone_name})"


@register.filter
def local_long(value) -> str:
    """Format a datetime already put in a zone (``in_zone``) as it is.

    Django's ``date`` filter would first convert it back to the current time
    zone (UTC), which is wrong for emails written in the recipient's zone.
    The abbreviation comes from the value itself, not Django's ``T``, which
    prints nothing for a time in the repeated hour when clocks go back; the
    value's ``fold`` says which of the two it is (BST or GMT).
    """
    if not value:
        return ""
    return f"{date_format(value, 'l j F Y, H:i')} {value.tzname() or ''}".rstrip()


@register.simple_tag
def zoned_format(value, zone_name: str, fmt: str) -> str:
    """``{% zoned_format event.starts_at event.time_zone "M" %}``: one part of a time, in a zone.

    The ``date`` filter cannot do this: it converts an aware time back to the
    request's zone (UTC) before formatting.
    """
    if not value or not zone_name:
        return ""
    return date_format(in_zone(value, zone_name), fmt)


@register.simple_tag(takes_context=True)
def your_time(context, value, zone_name: str) -> str:
    """``{% your_time event.starts_at event.time_zone %}``: the time for the viewer, when their clock differs.

    Renders ``<span class="your-time">Wed 2 Dec, 08:00 JST, your time</span>``
    when the viewer's zone (``viewer_zone``: their chosen zone, else the
    browser's) shows a different UTC offset at that instant from ``zone_name``;
    otherwise nothing (same zone, same clock, or no known viewer zone, as in emails).
    """
    if not value or not zone_name:
        return ""
    viewer = viewer_zone(context.get("request"))
    if not viewer:
        return ""
    theirs = in_zone(value, viewer)
    if theirs.utcoffset() == in_zone(value, zone_name).utcoffset():
        return ""
    text = f"{date_format(theirs, 'D j M, H:i')} {zone_abbreviation(theirs)}, your time"
    return format_html('<span class="your-time">{}</span>', text)


@register.simple_tag(takes_context=True)
def time_zone_offer(context) -> dict | None:
    """What the browser-zone offer (includes/timezone_offer.html) needs, or None when there is none to make.

    Offered to a signed-in person who has not chosen a zone themselves. It is
    shown from the server when the browser's zone (cookie) differs from the
    saved one; on a first visit, before the cookie exists, static/js/timezone.js
    fills in the zone and shows it.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(user, "time_zone_confirmed_at", True) is not None:
        return None
    now = timezone.now()
    browser = browser_zone(request)
    return {
        "visible": bool(browser and browser != user.time_zone),
        # Back to this page after either button; a page drawn for a POST (a form with errors) has no GET to return to.
        "next": request.get_full_path() if request.method == "GET" else "",
        "zone": browser or "",
        "abbreviation": zone_abbreviation(in_zone(now, browser)) if browser else "",
        "saved_zone": user.time_zone,
        "saved_abbreviation": zone_abbreviation(in_zone(now, user.time_zone)) if is_time_zone(user.time_zone) else "",
    }
