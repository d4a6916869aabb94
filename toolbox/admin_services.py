"""How every CohortNet admin shows a service's refusal: on the form, with nothing written.

The admin saves through services (``save_model``, ``save_related``,
``save_formset``), and a service refuses by raising ``ValidationError``; the
database refuses a race the service could not see (two staff adding the same
award at once) with an ``IntegrityError``. Django's admin validates the form
and then saves, so an error raised while saving would be a 500.

``ServiceAdminMixin`` runs the save as it is (Django wraps it in a
transaction, so a refusal rolls back everything it began), and on a refusal
runs the same POST once more with the refusal added to the form's validation:
the form is then invalid, Django writes nothing and re-renders it exactly as
for any other invalid input, with the staff member's values kept. An
``IntegrityError`` is retried once first: the row that won the race is then
committed, so the service's own check sees it and explains the refusal in its
own words.

Admin actions call their service once per selected row through
``apply_to_each``, which reports each refusal as an error message naming
the row and counts what was done in one success message.

Two kinds of input would fail after the form had accepted it, so the mixin
refuses them on the form too: a date whose year is far outside the programme
(0001 or 9999: no calendar, and for 0001 east of Greenwich not even Python,
can read it back), and, in an autocomplete field, a posted value that is not
a key at all (Django's widget looks it up to draw the page again, which
raises). ``GuardedInlineMixin`` does the second for inlines. Likewise a
changelist filter that fails only once its query runs goes back to the list
with Django's "?e=1", as every other bad filter does, and an action posted
row ids that are no keys changes nothing and says so.
"""

from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.exceptions import DisallowedModelAdminToField
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import PAGE_VAR, ChangeList
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, models

#: Shown when an action is posted rows that are no keys at all (a browser never sends them).
UNREADABLE_SELECTION = "The rows selected could not be read, so nothing was changed: select rows in the list again."

#: Shown when the database refuses a save twice over, where no service message says why.
CONFLICT_MESSAGE = (
    "Someone else saved a conflicting change at the same moment, so nothing was saved. "
    "Reload the page to see the current values and try again."
)


def apply_to_each(model_admin, request, rows, service, *, done: str, name=str, denied: str = "", **kwargs) -> int:
    """An admin action's loop: ``service(<row's model name>=row, by=request.user, **kwargs)`` for every selected row.

    One service call (one transaction) a row. A row the service refuses (``ValidationError``) is reported as an
    error message, "<name(row)>: <why>", and the others still go ahead. ``PermissionDenied`` is about the person,
    not the row: it stops the loop with ``denied``. What was done is counted in one success message, ``done``
    with ``{count}`` filled in (none when nothing was done). Returns the count.
    """
    count = 0
    for row in rows:
        try:
            service(**{row._meta.model_name: row}, by=request.user, **kwargs)
        except ValidationError as exc:
            model_admin.message_user(request, f"{name(row)}: {' '.join(exc.messages)}", messages.ERROR)
        except PermissionDenied:
            model_admin.message_user(request, denied or "You are not allowed to do that.", messages.ERROR)
            break
        else:
            count += 1
    if count:
        model_admin.message_user(request, done.format(count=count), messages.SUCCESS)
    return count


#: The years a date or time typed in the admin may fall in; anything else is a typo (0207, 9999).
PLAUSIBLE_YEARS = range(2000, 2101)


def validate_plausible_year(value) -> None:
    if value is not None and value.year not in PLAUSIBLE_YEARS:
        raise ValidationError(
            f"Enter a date between {PLAUSIBLE_YEARS[0]} and {PLAUSIBLE_YEARS[-1]}.", code="implausible_year"
        )


def _is_key(field, value) -> bool:
    try:
        field.to_python(value)
    except ValidationError:
        return False
    return True


class KeyCheckingAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete select, drawing a refused form again even when the posted value is no key at all.

    Django filters the related table by the posted value to show it as selected; a value the key cannot hold
    ("abc", a NUL byte) raises there. It is left out, and the form field's own "Select a valid choice" shows.
    """

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if _is_key(self.field.target_field, v)], attr)


class GuardedInlineMixin:
    """For an inline (and, through ``ServiceAdminMixin``, every admin): autocomplete fields that never raise."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KeyCheckingAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def add_refusal(form, refusal: ValidationError) -> None:
    """Put a service's refusal on the form: on the named field if the form has it, else above the form."""
    if hasattr(refusal, "error_dict"):
        for field, errors in refusal.error_dict.items():
            target = field if field in form.fields and field != NON_FIELD_ERRORS else None
            form.add_error(target, errors)
    else:
        form.add_error(None, refusal)


def _refused(form_class, refusal: ValidationError):
    """``form_class`` whose validation also fails with ``refusal``."""

    class RefusedForm(form_class):
        def full_clean(self):
            super().full_clean()
            if self.is_bound:
                add_refusal(self, refusal)

    RefusedForm.__name__ = form_class.__name__
    RefusedForm.__qualname__ = form_class.__qualname__
    return RefusedForm


#: The query parameter that sets a changelist's page size, and the sizes staff may choose (the first is the default).
PER_PAGE_VAR = "per_page"
PER_PAGE_CHOICES = (50, 100, 200)


class SizedChangeList(ChangeList):
    """A changelist whose page size staff choose (``?per_page=100``): 50 rows unless they ask for 100 or 200.

    Fifty rows render in a third of the time of Django's default hundred (``make bench``, issue #20). The
    parameter stays in the address, the page links and the filters kept on a change form; any other value
    is ignored, never an error. ``per_page_links`` feeds the chooser under the list (admin/change_list.html).
    """

    def __init__(self, request, *args, **kwargs):
        self.per_page = _chosen_page_size(request.GET.get(PER_PAGE_VAR))
        args = list(args)
        args[7] = self.per_page  # list_per_page, after model and the six list settings
        super().__init__(request, *args, **kwargs)
        self.per_page_links = [
            (size, self.get_query_string({PER_PAGE_VAR: size}, remove=[PAGE_VAR]), size == self.per_page)
            for size in PER_PAGE_CHOICES
        ]

    def get_filters_params(self, params=None):
        lookup_params = super().get_filters_params(params)
        lookup_params.pop(PER_PAGE_VAR, None)
        return lookup_params


def _chosen_page_size(value: str | None) -> int:
    try:
        size = int(value)
    except (TypeError, ValueError):
        return PER_PAGE_CHOICES[0]
    return size if size in PER_PAGE_CHOICES else PER_PAGE_CHOICES[0]


class ServiceAdminMixin(GuardedInlineMixin):
    """Show refusals raised while saving (a ``ValidationError`` or ``IntegrityError``) on the form.

    Every project admin has it, so it also sets the changelists' page size (``SizedChangeList``).
    """

    list_per_page = PER_PAGE_CHOICES[0]

    def get_changelist(self, request, **kwargs):
        return SizedChangeList

    def response_action(self, request, queryset):
        # Django filters by the posted row ids before running the action: "abc" or "" would raise there.
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(_is_key(self.model._meta.pk, value) for value in selected):
            self.message_user(request, UNREADABLE_SELECTION, messages.WARNING)
            return None
        return super().response_action(request, queryset)

    def get_object(self, request, object_id, from_field=None):
        # "?_to_field=" (empty) passes Django's check of the field name, then is looked up as a field called "".
        if from_field == "":
            raise DisallowedModelAdminToField("An empty _to_field names no field.")
        return super().get_object(request, object_id, from_field)

    def get_changelist_instance(self, request):
        # A filter in the address bar that fails only when the query is built or run (a year such as -1 or
        # 9999999999, a reviewer "abc") is refused as Django refuses any other bad filter: back to the list, ?e=1.
        try:
            return super().get_changelist_instance(request)
        except (ValueError, OverflowError) as exc:
            raise IncorrectLookupParameters(exc) from exc

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        # DateTimeField is a DateField too.
        if formfield is not None and isinstance(db_field, models.DateField):
            formfield.validators.append(validate_plausible_year)
        return formfield

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, "_cohortnet_refusal", None)
        return _refused(form_class, refusal) if refusal is not None else form_class

    def message_after_save(self, request, message: str, level=messages.INFO) -> None:
        """Tell staff something about the save, once it has gone through (not when it is refused)."""
        if not hasattr(request, "_cohortnet_after_save"):
            request._cohortnet_after_save = []
        request._cohortnet_after_save.append((message, level))

    def _flush_messages(self, request) -> None:
        for message, level in getattr(request, "_cohortnet_after_save", []):
            self.message_user(request, message, level)

    def response_add(self, request, obj, post_url_continue=None):
        self._flush_messages(request)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        self._flush_messages(request)
        return super().response_change(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        refusal = None
        for _attempt in range(2):
            request._cohortnet_after_save = []
            try:
                # Django's changeform_view saves inside transaction.atomic: the exception rolls it all back.
                return super().changeform_view(request, object_id, form_url, extra_context)
            except ValidationError as exc:
                refusal = exc
                break
            except IntegrityError:
                refusal = ValidationError(CONFLICT_MESSAGE, code="conflict")
        request._cohortnet_refusal = refusal
        request._cohortnet_after_save = []
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        finally:
            del request._cohortnet_refusal
