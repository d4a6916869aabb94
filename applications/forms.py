from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Fieldset, Layout, Submit
from django import forms

from applications.models import Application
from applications.services import ANSWER_FIELDS


class StartApplicationForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=None, empty_label=None, label="Apply on behalf of")

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.helper = FormHelper()
        self.helper.add_input(Submit("start", "Start the application"))


class ApplicationForm(forms.ModelForm):
    """The applicant's answers. Every field may be blank in a draft; submitting checks them."""

    class Meta:
        model = Application
        fields = list(ANSWER_FIELDS)
        widgets = {
            "data_stewarded": forms.Textarea(attrs={"rows": 4}),
            "sustainability": forms.Textarea(attrs={"rows": 4}),
            "contribution": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "licence": "For example: CC BY 4.0, ODbL 1.0.",
            "time_commitment": "For example: two days a month.",
            "funding_requested": "In pounds, up to the call's limit per organisation.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("data_stewarded", "sustainability", "contribution"):
            self.fields[name].widget.attrs["maxlength"] = 5000
        self.fields["funding_requested"].widget.attrs.update({"inputmode": "decimal", "step": "0.01"})
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset("Your open data", "data_stewarded", "licence"),
            Fieldset("Your organisation", "sustainability", "contribution", "time_commitment"),
            Fieldset("Funding and the published output", "funding_requested", "consent_to_publish"),
            HTML(
                '<p class="text-body-secondary">'
                "You can save a draft and come back to it at any time before the call closes.</p>"
            ),
        )
        # Two buttons, told apart by name: the view saves first, then submits.
        self.helper.add_input(Submit("save_draft", "Save draft", css_class="btn-secondary me-2"))
        self.helper.add_input(Submit("submit_application", "Submit application"))
