"""The choices a person makes about their data, asked at sign-up and changed in the profile."""

from django import forms

from cohortnet.users.forms import SignupForm as UserSignupForm
from privacy import services
from privacy.models import Consent
from toolbox.forms import SiteForm

#: What each choice means, in the words the sign-up page and the profile use.
CONSENT_TEXT = {
    Consent.Purpose.DIRECTORY: (
        "List me in my cohorts' member directories with my email address",
        "Other members of your cohorts see your name and email address in the directory, so they can contact you.",
    ),
    Consent.Purpose.CREDIT: (
        "Credit me in the programme's published output",
        "When your organisation's learnings are published, you are happy to be named as a contributor. "
        "Your organisation still chooses how each contribution is credited.",
    ),
    Consent.Purpose.MAILING_LIST: (
        "Email me my cohorts' mailing list",
        "Messages posted in your cohorts arrive by email. Without it you read them on the site; "
        "each cohort's page lets you choose every message or a daily digest.",
    ),
}

#: The form field for each purpose.
FIELDS = {purpose: f"consent_{purpose}" for purpose in Consent.Purpose.values}


def consent_fields() -> dict[str, forms.BooleanField]:
    """One unticked, optional checkbox per purpose."""
    return {
        FIELDS[purpose]: forms.BooleanField(required=False, initial=False, label=label, help_text=help_text)
        for purpose, (label, help_text) in CONSENT_TEXT.items()
    }


def consent_choices(cleaned_data) -> dict[str, bool]:
    """``{purpose: ticked}`` from a form holding ``consent_fields``."""
    return {purpose: bool(cleaned_data.get(name)) for purpose, name in FIELDS.items()}


class ConsentForm(SiteForm):
    """The profile's "Your choices": each box ticked as the person last chose.

    A purpose never chosen shows what is in effect (``in_effect``, from ``selectors.consents_in_effect``): a
    participant from before consents were asked, listed and on the mailing list, sees those boxes ticked, so
    saving the form for another choice does not silently take them off both.
    """

    def __init__(self, *args, current: dict | None = None, in_effect: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(consent_fields())
        for purpose, row in (current or {}).items():
            given = row.given if row is not None else (in_effect or {}).get(purpose, False)
            self.fields[FIELDS[purpose]].initial = bool(given)


class SignupForm(UserSignupForm):
    """The site's sign-up form with the three choices after the password, none ticked for the person.

    Here rather than in ``cohortnet.users`` (which imports only the toolbox): what the person chooses is
    recorded through ``consents_save`` with the time and the privacy notice then published, in the same
    transaction as the account (``UserSignupForm.save``).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(consent_fields())

    def custom_signup(self, request, user) -> None:
        super().custom_signup(request, user)
        services.consents_save(user=user, choices=consent_choices(self.cleaned_data), source=Consent.Source.SIGNUP)
