from crispy_forms.helper import FormHelper
from django import forms

from cohorts.models import Organisation


class OrganisationForm(forms.ModelForm):
    # People type "example.org"; assume the secure scheme rather than http.
    website = forms.URLField(
        max_length=500, required=False, assume_scheme="https", help_text="For example: https://example.org"
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "website",
            "country",
            "legal_form",
            "year_founded",
            "staff_size",
            "description",
            "open_data",
            "licences",
            "access_methods",
            "reach",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "open_data": forms.Textarea(attrs={"rows": 3}),
            "reach": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "open_data": "For example: a register of companies, used by journalists and researchers.",
        }

    access_methods = forms.MultipleChoiceField(
        label="How is the data reached?",
        choices=Organisation.Access.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class ColleagueInviteForm(forms.Form):
    email = forms.EmailField(label="Colleague's email address", max_length=254)
