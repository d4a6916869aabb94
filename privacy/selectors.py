"""Reads about the privacy notice and a person's consents, used by pages, sign-up and the services."""

from cohorts.models import Participant
from privacy.models import Consent, PrivacyNotice


def notice_current() -> PrivacyNotice | None:
    """The newest published privacy notice, or None while nothing has been published."""
    return PrivacyNotice.objects.filter(version__isnull=False).order_by("-version").first()


def consent_history(user) -> list[Consent]:
    """Every choice ``user`` made, newest first (the order the current choice is read in)."""
    return list(Consent.objects.filter(user=user).select_related("notice").order_by("-at", "-pk"))


def consents_current(user, history: list[Consent] | None = None) -> dict[str, Consent | None]:
    """``{purpose: newest row or None}`` for every purpose; a purpose without a row was never given."""
    current: dict[str, Consent | None] = dict.fromkeys(Consent.Purpose.values)
    for row in consent_history(user) if history is None else history:
        if current[row.purpose] is None:
            current[row.purpose] = row
    return current


def consent_given(user, purpose: str) -> bool:
    row = Consent.objects.filter(user=user, purpose=purpose).order_by("-at", "-pk").first()
    return bool(row and row.given)


def consents_in_effect(user) -> dict[str, bool]:
    """What the cohorts' own switches do for ``user`` now, for the purposes that have one.

    Someone who joined a cohort before consents were asked has no rows, yet may be listed with their contact
    details and get the mailing list: the profile ticks those boxes, so saving their choices keeps them as
    they are unless they untick one.
    """
    participants = Participant.objects.filter(user=user)
    return {
        Consent.Purpose.DIRECTORY: participants.filter(show_contact_details=True).exists(),
        Consent.Purpose.MAILING_LIST: participants.exclude(delivery=Participant.Delivery.NONE).exists(),
    }
