"""Forms for the publication: a theme's synthesis (staff) and a person's credit choice."""

from django import forms

from outcomes.models.publication import PublicationCredit
from toolbox.forms import SiteForm


class SectionForm(SiteForm):
    text = forms.CharField(
        label="Synthesis for this theme",
        required=False,
        max_length=50000,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=(
            "Markdown. Leave it empty to leave the theme out. "
            "Saving a change asks every lead contact to sign off again."
        ),
    )


class CreditForm(SiteForm):
    choice = forms.ChoiceField(
        label="How should the publication credit you?",
        choices=PublicationCredit.Choice.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you would like to be credited."},
    )
