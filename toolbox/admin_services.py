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

import datetime

from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.exceptions import DisallowedModelAdminToField
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    _coerce_field_name,
    result_headers,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
    lookup_field,
)
from django.contrib.admin.views.main import PAGE_VAR, ChangeList
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    FieldDoesNotExist,
    ObjectDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db import IntegrityError, models
from django.template.loader import select_template
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

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

    def fast_result_list(self):
        """The context of Django's ``{% result_list cl %}``, its rows drawn by ``_rows`` (admin/change_list.html).

        None for a list with editable columns or in a popup: Django's own tag draws those.
        """
        if self.formset or self.is_popup:
            return None
        headers = list(result_headers(self))
        app_label, model_name = self.opts.app_label, self.opts.model_name
        return {
            # The template Django's tag would use: a model's or an app's own first.
            "template": select_template(
                [
                    f"admin/{app_label}/{model_name}/change_list_results.html",
                    f"admin/{app_label}/change_list_results.html",
                    "admin/change_list_results.html",
                ]
            ),
            "cl": self,
            "result_hidden_fields": [],
            "result_headers": headers,
            "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
            "results": [ResultList(None, cells) for cells in _rows(self)],
        }


# --- The rows of a changelist ------------------------------------------------------------------
#
# Profiled at scale L (bench/profile_pages.py), Django's ``items_for_result`` was the largest cost of the
# application and instalment changelists: for every cell it looks the column up again (``lookup_field``),
# and for every row it resolves the row's own link back to its view to add the list's filters
# (``add_preserved_filters``) and renders three ``format_html`` calls. ``_rows`` makes exactly the same
# markup, with what is the same for every row worked out once per list: each column's field or callable,
# its class, whether it links, and the link's address but for the row's key.


def _column(cl, index, name, is_first):
    """How to draw column ``name`` of ``cl``: what ``items_for_result`` works out again for every row."""
    model_admin = cl.model_admin
    try:
        field = _get_non_gfk_field(cl.lookup_opts, name)
    except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
        field = None
        if callable(name):
            attr = name
        elif hasattr(model_admin, name) and name != "__str__":
            attr = getattr(model_admin, name)
        else:
            attr = None  # an attribute of the model: looked up per row as Django does
    else:
        attr = None
    if cl.list_display_links is None:
        link = False
    elif is_first and not cl.list_display_links:
        link = True
    else:
        link = name in cl.list_display_links
    return {
        "name": name,
        "field": field,
        "attr": attr,
        "per_row": field is None and attr is None,
        "class": f"field-{_coerce_field_name(name, index)}",
        "link": link,
    }


def _lookup(column, result, model_admin):
    """``lookup_field(name, result, model_admin)`` with the column already resolved."""
    if column["per_row"]:
        return lookup_field(column["name"], result, model_admin)
    if column["field"] is not None:
        return column["field"], None, getattr(result, column["name"])
    return None, column["attr"], column["attr"](result)


class _Links:
    """Each row's change link with the list's filters kept: Django's ``url_for_result`` + ``add_preserved_filters``.

    The address differs between rows only in the key, so for integer keys it is made once and the key put in.
    """

    def __init__(self, cl):
        self.cl = cl
        self.base = self.tail = None
        first = cl.result_list[0] if len(cl.result_list) else None
        if first is not None and isinstance(getattr(first, cl.pk_attname), int):
            url = cl.url_for_result(first)
            marker = f"/{getattr(first, cl.pk_attname)}/change/"
            full = self._preserved(url)
            if url.endswith(marker) and "?" not in url and full.startswith(url):
                self.base = url[: -len(marker)]
                self.tail = full[len(url) :]

    def _preserved(self, url):
        return add_preserved_filters({"preserved_filters": self.cl.preserved_filters, "opts": self.cl.opts}, url)

    def __call__(self, result):
        key = getattr(result, self.cl.pk_attname)
        if self.base is not None and isinstance(key, int):
            return f"{self.base}/{key}/change/{self.tail}"
        return self._preserved(self.cl.url_for_result(result))


def _rows(cl):
    """The cells of each row of ``cl``, as ``items_for_result`` draws them (without a formset or a popup)."""
    model_admin = cl.model_admin
    empty_value_display = model_admin.get_empty_value_display()
    columns, first = [], True
    for index, name in enumerate(cl.list_display):
        column = _column(cl, index, name, first)
        if column["link"]:
            column["tag"] = "th" if first else "td"
            first = False
        columns.append(column)
    links = _Links(cl)
    for result in cl.result_list:
        cells = []
        for column in columns:
            classes = [column["class"]]
            try:
                f, attr, value = _lookup(column, result, model_admin)
            except ObjectDoesNotExist:
                result_repr = empty_value_display
            else:
                empty = getattr(attr, "empty_value_display", empty_value_display)
                if isinstance(value, str) and value.strip() == "":
                    value = ""
                if f is None or f.auto_created:
                    if column["name"] == "action_checkbox":
                        classes = ["action-checkbox"]
                    boolean = getattr(attr, "boolean", False)
                    if isinstance(attr, property) and hasattr(attr, "fget"):
                        boolean = getattr(attr.fget, "boolean", False)
                    result_repr = display_for_value(value, empty, boolean)
                    if isinstance(value, datetime.date | datetime.time):
                        classes.append("nowrap")
                else:
                    if isinstance(f.remote_field, models.ManyToOneRel):
                        field_val = getattr(result, f.name)
                        result_repr = empty if field_val is None else field_val
                    else:
                        result_repr = display_for_field(value, f, empty, avoid_link=column["link"])
                    if isinstance(f, models.DateField | models.TimeField | models.ForeignKey):
                        classes.append("nowrap")
            row_class = f' class="{" ".join(classes)}"'
            if column["link"]:
                tag = column["tag"]
                try:
                    url = links(result)
                except NoReverseMatch:
                    content = conditional_escape(result_repr)
                else:
                    content = f'<a href="{conditional_escape(url)}">{conditional_escape(result_repr)}</a>'
                cells.append(SafeString(f"<{tag}{row_class}>{content}</{tag}>"))
            else:
                cells.append(SafeString(f"<td{row_class}>{conditional_escape(result_repr)}</td>"))
        yield cells


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
