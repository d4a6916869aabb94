from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.core.validators import MaxLengthValidator

from cohortnet.users.models import User
from toolbox.timezones import TIME_ZONE_CHOICES


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form, with the address length the database can hold.

    Without the limit an over-long address passes the form and fails on
    PostgreSQL's varchar(254) as a server error.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["email"]
        field.max_length = 254
        field.validators.append(MaxLengthValidator(254))
        field.widget.attrs["maxlength"] = "254"


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        choices=TIME_ZONE_CHOICES,
        help_text="Event times are also shown in this zone, and reminders use it.",
    )

    class Meta:
        model = User
        fields = ["name", "time_zone"]
