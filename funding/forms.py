from decimal import Decimal

from django import forms

from events.models import Event


class TimeEntryForm(forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal("0.25"), max_value=Decimal("24"))
    activity = forms.CharField(max_length=200)
    event = forms.ModelChoiceField(queryset=Event.objects.none(), required=False, empty_label="(not an event)")

    def __init__(self, *args, cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = Event.objects.filter(cohort=cohort).order_by("starts_at")
