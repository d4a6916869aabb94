"""IANA time zones: the choices offered and the helpers pages use to print times."""

from datetime import datetime
from urllib.parse import unquote
from zoneinfo import ZoneInfo, available_timezones

from django.core.exceptions import ValidationError
from django.utils import timezone

# Computed once at import: tzdata's list does not change while a process runs.
TIME_ZONE_CHOICES = sorted((tz, tz.replace("_", " ")) for tz in available_timezones())


def in_zone(value: datetime, zone_name: str) -> datetime:
    """Return the aware ``value`` as wall-clock time in the named IANA zone."""
    return timezone.localtime(value, ZoneInfo(zone_name))


def validate_time_zone(value: str) -> None:
    """Reject anything that is not an IANA zone name such as ``Europe/London``.

    Model fields use this validator rather than ``choices`` so that a tzdata
    update never shows up as a pending migration.
    """
    if value not in _ZONE_NAMES:
        raise ValidationError(
            "“%(value)s” is not a time zone name. Use an IANA name such as Europe/London.",
            code="invalid_time_zone",
            params={"value": value},
        )


_ZONE_NAMES = frozenset(name for name, _label in TIME_ZONE_CHOICES)


# The cookie static/js/timezone.js sets with the browser's zone (Intl), read by ``viewer_zone``.
BROWSER_ZONE_COOKIE = "cn_browser_tz"


def is_time_zone(value) -> bool:
    """True for a known IANA zone name; anything else (hostile cookie values too) is not one."""
    return isinstance(value, str) and value in _ZONE_NAMES


def browser_zone(request) -> str | None:
    """The zone the visitor's browser reported through the cookie, if it is a known zone name."""
    raw = getattr(request, "COOKIES", {}).get(BROWSER_ZONE_COOKIE, "")
    if len(raw) > 64:
        return None
    value = unquote(raw)
    return value if is_time_zone(value) else None


def viewer_zone(request) -> str | None:
    """The zone "your time" is printed in for whoever is looking.

    A signed-in person who has chosen a zone (the offer's buttons, the profile)
    gets that zone. Otherwise the browser's zone, when its cookie names a known
    zone; failing that, a signed-in person's saved (default) zone. An anonymous
    visitor without the cookie has none.
    """
    if request is None:
        return None
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    if signed_in and getattr(user, "time_zone_confirmed_at", None) and is_time_zone(user.time_zone):
        return user.time_zone
    from_browser = browser_zone(request)
    if from_browser:
        return from_browser
    if signed_in and is_time_zone(getattr(user, "time_zone", None)):
        return user.time_zone
    return None


def zone_abbreviation(local: datetime) -> str:
    """The zone's short name at that instant ("JST", "BST"); tzdata's numeric ones ("+04") read as "UTC+04"."""
    name = local.tzname() or ""
    return name if name[:1].isalpha() else f"UTC{name}"
