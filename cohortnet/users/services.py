"""Writes to a person's own account that carry a rule."""

from django.db import transaction
from django.utils import timezone

from cohortnet.users.models import User
from toolbox.timezones import validate_time_zone


@transaction.atomic
def time_zone_choose(*, user: User, zone: str) -> User:
    """Save the zone the person chose themselves, and when, so the browser's zone is not offered again.

    Raises ``ValidationError`` for anything that is not a known IANA zone name.
    """
    validate_time_zone(zone)
    user.time_zone = zone
    user.time_zone_confirmed_at = timezone.now()
    user.save(update_fields=["time_zone", "time_zone_confirmed_at"])
    return user
