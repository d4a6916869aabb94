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
