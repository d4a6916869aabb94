"""Unsubscribing from an email without signing in: signed links, the RFC 8058 headers, and what each one stops.

Every reminder and every mailing-list email carries a link that stops that kind
of email for that person (for a list, in that one cohort). The signed token is
the authority, so it works without a session: a GET shows one button, a POST
(the button, or a mail client's one-click ``List-Unsubscribe=One-Click``)
makes the change. Mail scanners follow links with GET, so a GET changes nothing.

Reminder kinds are the sources in ``notifications.reminders.REGISTRY``; other
kinds of email (a cohort's mailing list) register a ``MailingList`` in their
app's ``ready()``, as reminder sources do: notifications imports no domain app.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

ONE_CLICK = "List-Unsubscribe=One-Click"


@dataclass(frozen=True)
class MailingList:
    kind: str
    #: describe(user, scope) -> what the person stops getting ("messages to Cohort 2"), or None if nothing is left.
    describe: Callable[[object, int | None], str | None]
    #: stop(user, scope): the change itself, through the owning app's service.
    stop: Callable[[object, int | None], None]


LISTS: dict[str, MailingList] = {}


def register_list(mailing_list: MailingList) -> None:
    LISTS[mailing_list.kind] = mailing_list


def unsubscribe_token(user, kind: str, scope: int | None = None) -> str:
    # The reminders' opt-out links use the same token: one page answers both.
    from notifications.reminders import OPT_OUT_SALT

    data = {"u": user.pk, "k": kind}
    if scope is not None:
        data["s"] = scope
    return signing.dumps(data, salt=OPT_OUT_SALT)


def unsubscribe_link(user, kind: str, scope: int | None = None) -> str:
    token = unsubscribe_token(user, kind, scope)
    return f"{settings.SITE_URL}{reverse('notifications:unsubscribe', kwargs={'token': token})}"


def unsubscribe_headers(user, kind: str, scope: int | None = None) -> dict[str, str]:
    """The ``List-Unsubscribe`` and ``List-Unsubscribe-Post`` headers (RFC 2369, RFC 8058) for one email."""
    return {"List-Unsubscribe": f"<{unsubscribe_link(user, kind, scope)}>", "List-Unsubscribe-Post": ONE_CLICK}


@dataclass(frozen=True)
class Unsubscribe:
    """What a valid link would stop, ready to do it."""

    label: str
    apply: Callable[[], None]


def unsubscribe_from_token(token: str) -> Unsubscribe | None:
    """Read a link: None when it is tampered with or names nothing that exists. Changes nothing itself."""
    from django.contrib.auth import get_user_model

    from notifications.reminders import OPT_OUT_SALT, REGISTRY
    from notifications.services import reminder_opt_out_set

    try:
        data = signing.loads(token, salt=OPT_OUT_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    user = get_user_model().objects.filter(pk=data.get("u"), is_active=True).first() if data.get("u") else None
    kind, scope = data.get("k"), data.get("s")
    if user is None or not isinstance(kind, str):
        return None
    if kind in REGISTRY:
        return Unsubscribe(
            label=REGISTRY[kind].label,
            apply=lambda: reminder_opt_out_set(user=user, kind=kind, stopped=True),
        )
    if kind in LISTS:
        label = LISTS[kind].describe(user, scope)
        if label is None:
            return None
        return Unsubscribe(label=label, apply=lambda: LISTS[kind].stop(user, scope))
    return None
