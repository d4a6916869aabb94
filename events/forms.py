from django import forms

from toolbox.forms import SiteForm


class RSVPForm(SiteForm):
    answer = forms.ChoiceField(choices=[("going", "Going"), ("not_going", "Not going")])


class WrittenInputForm(SiteForm):
    body = forms.CharField(
        label="Your input",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Cannot attend? Send your thoughts before or after the session; staff read them with the notes.",
    )
