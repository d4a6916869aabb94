from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from cohorts.models import Organisation


class OrganisationForm(forms.ModelForm):
    # People type "example.org"; assume the secure scheme rather than http.
    website = forms.URLField(
        max_length=500, required=False, assume_scheme="https", help_text="For example: https://example.org"
    )

    class Meta:
        model = Organisation
        fields = ["name", "website", "country", "description", "open_data"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "open_data": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "open_data": "For example: a register of companies, used by journalists and researchers.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", "Create organisation"))
