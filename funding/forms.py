from decimal import Decimal

from django import forms

from events.models import Event
from toolbox.forms import SiteForm


class TimeEntryForm(SiteForm):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.25"),
        max_value=Decimal("24"),
        help_text="For example, 1.5 for an hour and a half.",
        error_messages={
            "invalid": "Enter the hours as a number, like 2 or 1.5",
            "min_value": "Enter at least 0.25 hours (15 minutes)",
            "max_value": "Enter at most 24 hours",
            "max_decimal_places": "Enter the hours with no more than 2 decimal places, like 1.25",
            "max_digits": "Enter at most 24 hours",
            "max_whole_digits": "Enter at most 24 hours",
        },
    )
    activity = forms.CharField(max_length=200)
    event = forms.ModelChoiceField(queryset=Event.objects.none(), required=False, empty_label="(not an event)")

    def __init__(self, *args, cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = Event.objects.filter(cohort=cohort).order_by("starts_at")
