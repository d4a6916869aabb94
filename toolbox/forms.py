"""What every form on the site shares: error summary targets, character counts, required marks, money.

The GOV.UK Design System's patterns are the reference:

* **Error summary**: each error links to its field. A radio or checkbox group has
  no element with the field's own id, so the link goes to its first input
  (``BoundField.summary_target``).
* **Character count**: a text area with a limit is not cut off by the browser's
  ``maxlength`` (which silently truncates what is pasted); the limit is written as
  ``data-maxlength`` and static/js/forms.js counts down, and over, in the hint whose
  id ends ``_count``. The server still refuses an answer over the limit.
* **Required and optional**: optional fields say "(optional)" in their label and
  nothing marks the required ones (GOV.UK: mark the exception, and no asterisks).
  A field that may be left blank in a draft but is needed to submit carries
  ``needed_to_submit = True``: it is not called optional and is ``aria-required``.
* **Money**: amounts typed as people write them (``£12,500``, ``12500.50``) with
  messages in pounds: "Enter an amount of at most £20,000".

The toolbox imports no app: apps use ``SiteForm``/``SiteModelForm`` and ``MoneyField``.
"""

from decimal import Decimal, InvalidOperation

from django import forms
from django.forms.boundfield import BoundField
from django.template.loader import render_to_string
from django.templatetags.l10n import unlocalize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

#: Widgets grouped under one legend: the summary links to their first input,
#: and ``aria-required`` is not allowed on a single radio button.
GROUP_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple)


def money(amount: Decimal) -> str:
    """£20,000 for whole pounds, £20,000.50 with pennies."""
    amount = Decimal(amount)
    if amount == amount.to_integral_value():
        return f"£{amount:,.0f}"
    return f"£{amount:,.2f}"


class SiteBoundField(BoundField):
    @property
    def character_limit(self) -> int | None:
        """The limit a counter shows: text areas with a ``max_length``, and inputs that opt in."""
        widget = self.field.widget
        limit = getattr(self.field, "max_length", None)
        if not limit or self.field.disabled:
            return None
        if isinstance(widget, forms.Textarea) or (
            isinstance(widget, forms.TextInput) and widget.attrs.get("data-character-count")
        ):
            return limit
        return None

    @property
    def is_optional(self) -> bool:
        if getattr(self.field, "needed_to_submit", False):
            return False
        return not self.field.required

    @property
    def summary_target(self) -> str:
        """The id the error summary links to: the input itself, or a group's first input."""
        if self.id_for_label:
            return self.id_for_label
        subwidgets = self.subwidgets
        if subwidgets and subwidgets[0].id_for_label:
            return subwidgets[0].id_for_label
        return self.auto_id or ""

    @property
    def aria_describedby(self):
        described = super().aria_describedby
        if described is None or not self.character_limit or not self.auto_id:
            return described
        ids = described.split()
        # The hint, then the count, then the error: the order a screen reader reads them.
        position = 1 if f"{self.auto_id}_helptext" in ids else 0
        ids.insert(position, f"{self.auto_id}_count")
        return " ".join(ids)

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if self.character_limit:
            attrs["maxlength"] = False  # False leaves the attribute out of the HTML
            attrs["data-maxlength"] = str(self.character_limit)
        if (
            getattr(self.field, "needed_to_submit", False)
            and not self.field.required
            and not isinstance(widget, GROUP_WIDGETS)
        ):
            attrs["aria-required"] = "true"
        return attrs


class SiteFormMixin:
    bound_field_class = SiteBoundField

    def site_layout(self) -> str:
        """``{{ form.site_layout }}``: what ``{% crispy form %}`` renders, without a template per field
        (for a helper without a form tag whose layout is Fieldsets of field names; see render_site_layout)."""
        return render_site_layout(self)


class SiteForm(SiteFormMixin, forms.Form):
    pass


class SiteModelForm(SiteFormMixin, forms.ModelForm):
    pass


MONEY_INVALID = "Enter an amount in pounds, like 12500 or 12500.50"


class MoneyField(forms.DecimalField):
    """An amount in pounds and pence, between ``min_amount`` and ``max_amount``, with messages in money.

    A text input with a decimal keyboard rather than ``type=number``: a number input
    throws away what it cannot parse ("12,500"), so the person's typing would be lost.
    """

    widget = forms.TextInput

    def __init__(self, *, max_amount: Decimal, min_amount: Decimal = Decimal("0.01"), **kwargs):
        super().__init__(**kwargs)
        self.max_amount = Decimal(max_amount)
        self.min_amount = Decimal(min_amount)
        self.error_messages["invalid"] = MONEY_INVALID
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def widget_attrs(self, widget):
        return {}  # no step/min/max: those belong to type=number

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", "").replace(" ", "").removeprefix("£")
        if value in self.empty_values:
            return None
        try:
            amount = Decimal(str(value))
        except (InvalidOperation, ValueError, TypeError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not amount.is_finite():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return amount

    def validate(self, value):
        forms.Field.validate(self, value)
        if value is None:
            return
        if value < 0:
            raise forms.ValidationError("Enter an amount of at least £0", code="min_value")
        if value > self.max_amount:
            raise forms.ValidationError(f"Enter an amount of at most {money(self.max_amount)}", code="max_value")
        if value < self.min_amount:
            raise forms.ValidationError(f"Enter an amount of at least {money(self.min_amount)}", code="min_value")
        if value != value.quantize(Decimal("0.01")):
            raise forms.ValidationError(MONEY_INVALID, code="max_decimal_places")

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value:.2f}"
        return value


# --- Rendering: crispy's markup, without a template per field -----------------------------------------
#
# templates/bootstrap5/field.html is the markup every crispy form on the site uses. Rendering it once per
# field (with its includes: help text, errors, one attrs.html per radio or checkbox option) was most of
# the application form's time (issue #20). ``render_site_field`` writes the same HTML in Python for the
# widgets the site's long forms use, and hands any other widget (files, multi-widgets) to that template;
# ``render_site_layout`` does the same for a helper's layout of Fieldsets. tests/toolbox/test_speed_forms.py
# holds the two renderings equal, field kind by field kind, with and without errors.


def _attrs_html(attrs: dict) -> str:
    """crispy's attrs.html: `` name="value"``, a bare `` name`` for True, nothing for False."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {name}")
        else:
            parts.append(f' {name}="{conditional_escape(str(value))}"')
    return "".join(parts)


def _add_widget_classes(widget, extra: str) -> None:
    """What crispy's ``{% crispy_field field 'class' extra %}`` does to the widget before rendering it."""
    class_name = widget.__class__.__name__.lower()
    css_class = widget.attrs.get("class", "")
    if css_class:
        if css_class.find(class_name) == -1:
            css_class += f" {class_name}"
    else:
        css_class = class_name
    for name in extra.split():
        if name not in css_class.split():
            css_class += f" {name}"
    widget.attrs["class"] = css_class


def _optional(field) -> str:
    return ' <span class="text-body-secondary">(optional)</span>' if getattr(field, "is_optional", False) else ""


def _help_html(field) -> str:
    if not field.help_text:
        return ""
    id_attr = f'id="{field.auto_id}_helptext" ' if field.auto_id else ""
    return f'<div {id_attr}class="form-text">{field.help_text}</div>'


def _errors_html(field) -> str:
    errors = field.errors
    if not errors:
        return ""
    items = "".join(
        f'<p class="mb-1" id="error_{n}_{field.auto_id}"><strong><span class="visually-hidden">Error: </span>'
        f"{conditional_escape(error)}</strong></p>"
        for n, error in enumerate(errors, start=1)
    )
    return f'<div id="{field.auto_id}_error" class="invalid-feedback d-block">{items}</div>'


def _options_html(field) -> str:
    widget = field.field.widget
    id_ = widget.attrs.get("id") or field.auto_id
    attrs = field.build_widget_attrs({"id": id_} if id_ else {})
    values = widget.format_value(field.value())
    inline = " form-check-inline" if getattr(field.field, "inline", False) else ""
    invalid = " is-invalid" if field.errors else ""
    name = conditional_escape(field.html_name)
    out = []
    for group, options, _index in widget.optgroups(field.html_name, values, attrs):
        if group:
            out.append(f'<p class="fw-semibold mb-1">{conditional_escape(group)}</p>')
        for option in options:
            value = conditional_escape(str(unlocalize(option["value"])))
            label = conditional_escape(str(unlocalize(option["label"])))
            out.append(
                f'<div class="form-check{inline}"><input type="{option["type"]}" class="form-check-input{invalid}" '
                f'name="{name}" value="{value}"{_attrs_html(option["attrs"])}>'
                f'<label for="{conditional_escape(option["attrs"].get("id", ""))}" class="form-check-label">'
                f"{label}</label></div>"
            )
    return "".join(out)


def _widget_html(field: BoundField) -> str:
    """``str(field)`` for a text input, text area or checkbox: Django's input.html and textarea.html,
    written here; any other widget (and a localised field) is rendered by Django's own template."""
    widget = field.field.widget
    if field.field.localize or not isinstance(widget, (forms.widgets.Input, forms.Textarea)):
        return str(field)
    if isinstance(widget, (forms.FileInput, forms.Select, forms.CheckboxSelectMultiple, forms.RadioSelect)):
        return str(field)
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    name = conditional_escape(context["name"])
    if isinstance(widget, forms.Textarea):
        value = conditional_escape(context["value"]) if context["value"] else ""
        return f'<textarea name="{name}"{_attrs_html(context["attrs"])}>\n{value}</textarea>'
    value = context["value"]
    value_attr = f' value="{conditional_escape(str(value))}"' if value is not None else ""
    return f'<input type="{context["type"]}" name="{name}"{value_attr}{_attrs_html(context["attrs"])}>'


def render_site_field(field: BoundField) -> str:
    """One field as templates/bootstrap5/field.html renders it (labels shown, no wrapper class)."""
    widget = field.field.widget
    if field.is_hidden:
        return str(field)
    if isinstance(widget, (forms.FileInput, forms.MultiWidget)) or not isinstance(
        widget, (*GROUP_WIDGETS, forms.widgets.Input, forms.Textarea, forms.Select, forms.CheckboxInput)
    ):
        return render_to_string(
            "bootstrap5/field.html", {"field": field, "form_show_labels": True, "form_show_errors": True}
        )
    classes = "mb-3"
    if field.errors:
        classes += " field-error"
    css = field.css_classes()
    if css:
        classes += f" {css}"
    label = conditional_escape(field.label) if field.label else ""
    invalid = " is-invalid" if field.errors else ""
    if isinstance(widget, GROUP_WIDGETS):
        described = field.aria_describedby
        described_attr = f' aria-describedby="{conditional_escape(described)}"' if described else ""
        inner = (
            f"<fieldset{described_attr}>"
            f'<legend class="form-label fs-6">{label}{_optional(field)}</legend>'
            f"{_help_html(field)}{_errors_html(field)}{_options_html(field)}</fieldset>"
        )
    elif isinstance(widget, forms.CheckboxInput):
        _add_widget_classes(widget, f"form-check-input{invalid}")
        inner = (
            f'{_errors_html(field)}<div class="form-check">{_widget_html(field)}'
            f'<label for="{field.id_for_label}" class="form-check-label">{label}</label>{_help_html(field)}</div>'
        )
    else:
        parts = []
        if label:
            for_attr = f' for="{field.id_for_label}"' if field.id_for_label else ""
            parts.append(f'<label{for_attr} class="form-label">{label}{_optional(field)}</label>')
        parts.append(_help_html(field))
        parts.append(_errors_html(field))
        _add_widget_classes(widget, f"{'form-select' if isinstance(widget, forms.Select) else 'form-control'}{invalid}")
        parts.append(_widget_html(field))
        limit = getattr(field, "character_limit", None)
        if limit:
            parts.append(
                f'<div id="{field.auto_id}_count" class="form-text character-count" '
                f'data-character-count-for="{field.auto_id}">You can enter up to {limit} characters</div>'
            )
        inner = "".join(parts)
    return f'<div id="div_{field.auto_id}" class="{classes}">{inner}</div>'


def render_site_layout(form) -> str:
    """``{% crispy form %}`` for a form whose helper has no form tag and a layout of Fieldsets of field names:
    the error summary (templates/includes/error_summary.html), then each fieldset with its fields."""
    from crispy_forms.layout import Fieldset

    out = []
    if form.errors:
        out.append(render_to_string("includes/error_summary.html", {"form": form}))
    for fieldset in form.helper.layout:
        if not isinstance(fieldset, Fieldset) or not all(isinstance(name, str) for name in fieldset.fields):
            raise TypeError("render_site_layout renders a layout of Fieldsets of field names only.")
        fields = "".join(render_site_field(form[name]) for name in fieldset.fields if name in form.fields)
        out.append(f"<fieldset><legend>{conditional_escape(fieldset.legend)}</legend>{fields}</fieldset>")
    return mark_safe("".join(out))  # noqa: S308 -- every value above is escaped or is a widget's own HTML
