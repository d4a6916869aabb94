from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.core.validators import MaxLengthValidator
from django.db import transaction

from cohortnet.users.models import User
from toolbox.forms import SiteFormMixin, SiteModelForm
from toolbox.timezones import TIME_ZONE_CHOICES

NAME_HELP = "As you would like staff and the cohort to see it, for example Maya Okafor."


def _name_field() -> forms.CharField:
    # The model's field (length, label) made required: people are asked for a name; older accounts may lack one.
    field = User._meta.get_field("name").formfield(required=True, help_text=NAME_HELP)
    field.widget.attrs["autocomplete"] = "name"
    return field


class SignupForm(SiteFormMixin, AllauthSignupForm):
    """allauth's sign-up form, asking for the person's name, with the address length the database can hold.

    Without the limit an over-long address passes the form and fails on
    PostgreSQL's varchar(254) as a server error.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["email"]
        field.max_length = 254
        field.validators.append(MaxLengthValidator(254))
        field.widget.attrs["maxlength"] = "254"
        # The name comes first: it is what the rest of the site greets the person with.
        self.fields = {"name": _name_field(), **self.fields}

    def save(self, request):
        # One transaction: an account is never left without the name it was given.
        with transaction.atomic():
            return super().save(request)

    def custom_signup(self, request, user) -> None:
        # allauth calls this after saving the account, inside save() above.
        user.name = self.cleaned_data["name"]
        user.save(update_fields=["name"])
        super().custom_signup(request, user)


class ProfileForm(SiteModelForm):
    name = _name_field()
    time_zone = forms.ChoiceField(
        choices=TIME_ZONE_CHOICES,
        help_text="Event times are also shown in this zone, and reminders use it.",
    )

    class Meta:
        model = User
        fields = ["name", "time_zone"]
