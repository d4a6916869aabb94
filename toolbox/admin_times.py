"""Staff type and read an object's times in the object's own time zone, in every admin.

The site's current time zone is UTC, so Django's admin would read "31/08
23:59" typed for a London call as 23:59 UTC, and publish it as 00:59 BST the
next day. ``ZonedTimesAdminMixin`` makes the object's IANA zone the current
one for the whole add/change view, including rendering the page: Django's
form fields then read what staff type as wall-clock time in that zone (and
refuse a time the clocks skip), and show stored instants in it. A time in
the hour the clocks repeat names its pass with the zone's abbreviation
("01:30 BST", then "01:30 GMT"): shown so, it posts back unchanged, and
typed without one it is refused with both choices named. The zone is the
one submitted on the form when it is valid (so changing the zone and the
times together reads the times in the new zone), else the object's own,
else the field's default; each time field names it in its help text.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.dateformat import format as date_format

from toolbox.timezones import in_zone, validate_time_zone


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


def _passes(naive: datetime, zone) -> list[datetime]:
    """The instants ``naive`` wall-clock time names in ``zone``: two in the hour clocks repeat, none in the hour
    they skip, else one."""
    passes = []
    for fold in (0, 1):
        candidate = naive.replace(tzinfo=zone, fold=fold)
        try:
            real = candidate.astimezone(UTC).astimezone(zone).replace(tzinfo=None, fold=0) == naive.replace(fold=0)
        except OverflowError:  # year 1 east of Greenwich: no clock changes there; the year check refuses it
            return [candidate]
        if real and all(candidate.utcoffset() != other.utcoffset() for other in passes):
            passes.append(candidate)
    return passes


class ZonedSplitDateTimeWidget(AdminSplitDateTime):
    """Shows a time in the hour the clocks repeat with its abbreviation ("01:30:00 GMT"): it posts back as it is.

    Its two boxes are named for screen readers ("Individual extension until: date", "...: time"): the field's
    label points at neither (Django's MultiWidget has no single id for it) and "Date:" beside them is plain text.
    ``field_label`` is set by ``ZonedTimesAdminMixin`` from the form field's label.
    """

    field_label = ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        prefix = f"{self.field_label}: " if self.field_label else ""
        for subwidget, part in zip(context["widget"]["subwidgets"], ("date", "time"), strict=True):
            subwidget["attrs"].setdefault("aria-label", f"{prefix}{part}" if prefix else part.capitalize())
        return context

    def decompress(self, value):
        if isinstance(value, datetime) and timezone.is_aware(value):
            local = value.astimezone(timezone.get_current_timezone())
            if len(_passes(local.replace(tzinfo=None), local.tzinfo)) == 2:
                return [local.date(), f"{local:%H:%M:%S} {local.tzname()}"]
        return super().decompress(value)


class ZonedSplitDateTimeField(forms.SplitDateTimeField):
    """Reads a time in the hour the clocks repeat when it names its pass: "01:30 BST" or "01:30 GMT".

    Without the abbreviation such a time is refused with both choices named,
    as Django refuses it, rather than read as either one.
    """

    widget = ZonedSplitDateTimeWidget

    def clean(self, value):
        self._abbreviation = None
        if isinstance(value, list | tuple) and len(value) == 2 and isinstance(value[1], str):
            time, _, abbreviation = value[1].strip().partition(" ")
            if abbreviation.strip():
                self._abbreviation = abbreviation.strip()
                value = [value[0], time]
        return super().clean(value)

    def compress(self, data_list):
        if not data_list or data_list[0] in self.empty_values or data_list[1] in self.empty_values:
            return super().compress(data_list)
        zone = timezone.get_current_timezone()
        naive = datetime.combine(*data_list)
        passes = _passes(naive, zone)
        abbreviation = getattr(self, "_abbreviation", None)
        if abbreviation is not None:
            for candidate in passes:
                if candidate.tzname() == abbreviation:
                    # In UTC: Python never finds a time in the repeated hour equal to one in another zone (PEP 495).
                    return candidate.astimezone(UTC)
            if passes:
                names = " or ".join(candidate.tzname() for candidate in passes)
                raise ValidationError(f"{naive:%d/%m/%Y %H:%M} in {zone} is {names}, not {abbreviation}.")
        if len(passes) == 2:
            first, second = (f"{naive:%H:%M} {candidate.tzname()}" for candidate in passes)
            raise ValidationError(
                f"{naive:%H:%M} happens twice on {naive:%d/%m/%Y} in {zone}, as the clocks go back: "
                f"type {first} for the first time or {second} for the second.",
                code="ambiguous",
            )
        return super().compress(data_list)

    def has_changed(self, initial, data):
        try:
            value = self.clean(data)
        except ValidationError:
            return True
        return value != initial


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
        if isinstance(db_field, models.DateTimeField):
            kwargs.setdefault("form_class", ZonedSplitDateTimeField)
            kwargs.setdefault("widget", ZonedSplitDateTimeWidget)
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        zone = getattr(request, "_cohortnet_time_zone", None)
        if formfield is not None and isinstance(formfield.widget, ZonedSplitDateTimeWidget):
            formfield.widget.field_label = str(formfield.label or "")
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
