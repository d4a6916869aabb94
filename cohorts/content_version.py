"""Each cohort's ``content_version``: what keys the cached fragments of its member pages.

The directory's list of member organisations is cached per cohort under this number
(templates/cohorts/directory.html). Any write to what that list shows adds one to the
number of every cohort it shows in, in the same transaction as the write, so after the
commit the page asks for a fragment under the new number and never reads the old one.

What the list shows, and so what ages it: memberships (which organisations, their themes),
the organisations' profiles, the participants who show their contact details and those
people's names and addresses, and the themes' names and colours. The receivers below catch
every save and delete of these rows, through the services, the admin's forms and anything
else that saves a model; ``ParticipantQuerySet.update`` catches bulk updates of participants.
Receivers do not drive domain flow here: they only age a cache key.
"""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save

from cohorts.models import Cohort, Membership, Organisation, Participant, Theme

#: Participant fields the directory shows (or selects by); a bulk update of other fields ages nothing.
DIRECTORY_PARTICIPANT_FIELDS = frozenset({"show_contact_details", "membership", "membership_id", "user", "user_id"})
#: User fields the directory shows; a save naming only others (last_login at every sign-in) ages nothing.
DIRECTORY_USER_FIELDS = frozenset({"name", "email"})


def cohorts_changed(cohort_ids: Iterable[int] | None = None, **filters) -> None:
    """Add one to ``content_version`` of the cohorts with these ids (or matching ``filters``): one UPDATE."""
    cohorts = Cohort.objects.all()
    if cohort_ids is not None:
        cohort_ids = [pk for pk in cohort_ids if pk is not None]
        if not cohort_ids:
            return
        cohorts = cohorts.filter(pk__in=cohort_ids)
    if filters:
        cohorts = cohorts.filter(**filters)
    cohorts.update(content_version=F("content_version") + 1)


def _membership_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        cohorts_changed([instance.cohort_id])


def _membership_themes_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear", "pre_clear"):
        return
    if not reverse:  # instance is a membership
        cohorts_changed([instance.cohort_id])
    elif action == "pre_clear":  # instance is a theme about to lose all its memberships
        cohorts_changed(memberships__themes=instance)
    elif pk_set:
        cohorts_changed(memberships__pk__in=pk_set)


def _participant_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and not DIRECTORY_PARTICIPANT_FIELDS.intersection(update_fields):
        return
    cohorts_changed(memberships__pk=instance.membership_id)


def _organisation_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        cohorts_changed(memberships__organisation_id=instance.pk)


def _user_saved(sender, instance, raw=False, created=False, update_fields=None, **kwargs):
    if raw or created:
        return
    if update_fields is not None and not DIRECTORY_USER_FIELDS.intersection(update_fields):
        return
    cohorts_changed(memberships__participants__user_id=instance.pk)


def _theme_saved(sender, instance, raw=False, **kwargs):
    # Every cohort: themes are few and rarely edited, and a deleted theme's links are gone by now.
    if not raw:
        cohorts_changed()


def connect() -> None:
    """Called from CohortsConfig.ready()."""
    for signal in (post_save, post_delete):
        signal.connect(_membership_saved, sender=Membership, dispatch_uid="cohorts_version_membership")
        signal.connect(_participant_saved, sender=Participant, dispatch_uid="cohorts_version_participant")
        signal.connect(_organisation_saved, sender=Organisation, dispatch_uid="cohorts_version_organisation")
        signal.connect(_theme_saved, sender=Theme, dispatch_uid="cohorts_version_theme")
        signal.connect(_user_saved, sender=get_user_model(), dispatch_uid="cohorts_version_user")
    m2m_changed.connect(
        _membership_themes_changed, sender=Membership.themes.through, dispatch_uid="cohorts_version_themes"
    )
