"""Staff type and read an object's times in the object's own time zone, in every admin.

The site's current time zone is UTC, so Django's admin would read "31/08
23:59" typed for a London call as 23:59 UTC, and publish it as 00:59 BST the
next day. ``ZonedTimesAdminMixin`` makes the object's IANA zone the current
one for the whole add/change view, including rendering the page: Django's
form fields then read what staff type as wall-clock time in that zone (and
refuse a time the clocks skip or repeat, as ambiguous), and show stored
instants in it. The zone is the one submitted on the form when it is valid
(so changing the zone and the times together reads the times in the new
zone), else the object's own, else the field's default; each time field
names it in its help text.
"""

from zoneinfo import ZoneInfo

from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.dateformat import format as date_format

from cohortnet.timezones import in_zone, validate_time_zone


def _valid_zone(name) -> str | None:
    try:
        validate_time_zone(name)
    except ValidationError:
        return None
    return name


def zoned_column(field: str, zone_of=lambda obj: obj.time_zone):
    """A changelist column printing ``field`` in the row's own zone, named: "31 Aug 2026, 23:59 BST".

    Wrap it in ``admin.display`` for its heading and ordering.
    """

    def column(self, obj):
        value = getattr(obj, field)
        if value is None:
            return "—"
        local = in_zone(value, zone_of(obj))
        # The abbreviation from the value itself: Django's "T" prints none in the hour clocks repeat.
        return f"{date_format(local, 'j M Y, H:i')} {local.tzname()}"

    return column


class ZonedTimesAdminMixin:
    """Read and show the times of the add/change form in the object's own IANA time zone."""

    #: The model field holding the zone; empty when ``time_zone_of`` finds it elsewhere.
    time_zone_field = "time_zone"
    #: How the help text names the zone, e.g. "this call's time zone".
    time_zone_owner = "the time zone set on this form"

    def time_zone_of(self, obj) -> str:
        return getattr(obj, self.time_zone_field)

    def _time_zone_for(self, request, object_id) -> str:
        if self.time_zone_field and request.method == "POST":
            submitted = _valid_zone(request.POST.get(self.time_zone_field))
            if submitted:
                return submitted
        if object_id is not None:
            obj = self.get_object(request, unquote(object_id))
            if obj is not None:
                return self.time_zone_of(obj)
        return self.model._meta.get_field(self.time_zone_field).get_default() if self.time_zone_field else "UTC"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        zone = getattr(request, "_cohortnet_time_zone", None)
        if formfield is not None and zone and isinstance(db_field, models.DateTimeField):
            note = f"In {zone} time, {self.time_zone_owner}: what you type is what the public pages show."
            formfield.help_text = f"{formfield.help_text} {note}".strip()
        return formfield

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        zone = self._time_zone_for(request, object_id)
        request._cohortnet_time_zone = zone
        with timezone.override(ZoneInfo(zone)):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            # The page is rendered here, in the zone, rather than later on the way out.
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
        return response
