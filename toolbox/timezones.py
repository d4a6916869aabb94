"""IANA time zones: the choices offered and the helpers pages use to print times."""

from datetime import datetime
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
