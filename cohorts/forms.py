from crispy_forms.helper import FormHelper
from django import forms

from cohorts.models import Contribution, Organisation, Participant, Theme
from cohorts.services import ALLOWED_EXTENSIONS, PROFILE_FIELDS
from toolbox.forms import SiteForm, SiteModelForm


class OrganisationForm(SiteModelForm):
    # People type "example.org"; assume the secure scheme rather than http.
    website = forms.URLField(
        max_length=500, required=False, assume_scheme="https", help_text="For example: https://example.org"
    )

    class Meta:
        model = Organisation
        fields = ["name", *PROFILE_FIELDS]
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


class ColleagueInviteForm(SiteForm):
    email = forms.EmailField(label="Colleague's email address", max_length=254)


class ThreadForm(SiteForm):
    subject = forms.CharField(max_length=200)
    theme = forms.ModelChoiceField(
        queryset=Theme.objects.all(),
        required=False,
        empty_label="No particular theme",
        help_text="The theme's page and the search's theme filter gather its threads.",
    )
    body = forms.CharField(label="Message", max_length=20000, widget=forms.Textarea(attrs={"rows": 6}))


class ReplyForm(SiteForm):
    body = forms.CharField(label="Your reply", max_length=20000, widget=forms.Textarea(attrs={"rows": 4}))


class PreferencesForm(SiteForm):
    delivery = forms.ChoiceField(
        label="Email me the cohort's messages",
        choices=Participant.Delivery.choices,
        widget=forms.RadioSelect,
        help_text="The archive stays readable either way.",
    )
    show_contact_details = forms.BooleanField(
        label="Show my email address to the other members of the cohort", required=False
    )


class ResourceForm(SiteForm):
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    url = forms.URLField(label="Link", required=False, max_length=500, assume_scheme="https")
    file = forms.FileField(
        required=False,
        help_text="PDF, office documents, CSV, text or images, up to 10 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_EXTENSIONS)}),
    )
    themes = forms.ModelMultipleChoiceField(
        queryset=Theme.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("url")) == bool(cleaned.get("file")):
            raise forms.ValidationError("Share either a link or a file.")
        return cleaned


class ContributionForm(SiteForm):
    learnings = forms.CharField(
        label="What your organisation learned", max_length=20000, widget=forms.Textarea(attrs={"rows": 6})
    )
    credit = forms.ChoiceField(choices=Contribution.Credit.choices, widget=forms.RadioSelect, label="How to credit you")
