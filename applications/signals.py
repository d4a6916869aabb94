"""Keep ``OpenCall.updated_at`` the version of everything the call page shows.

The call page is cached until its next state change or edit (issue #20), keyed on the call's
``updated_at``. The call's own fields move it (``auto_now``); what the page shows from other
rows moves it here, in the same transaction as the write: a FAQ item saved or deleted, the
call's themes changed, a theme's own name, colour or description edited or the theme deleted.
The cohort's name and dates are in the fragment's key themselves (the page already reads them).

Cache versions only: no domain flow hangs on these receivers.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver
from django.utils import timezone

from applications.models import FaqItem, OpenCall
from cohorts.models import Theme


def touch_calls(**lookup) -> None:
    """Move ``updated_at`` of the calls matching ``lookup`` to now: their cached pages are then out of use."""
    OpenCall.objects.filter(**lookup).update(updated_at=timezone.now())


@receiver(post_save, sender=FaqItem, dispatch_uid="applications_faq_saved_touches_call")
@receiver(post_delete, sender=FaqItem, dispatch_uid="applications_faq_deleted_touches_call")
def faq_item_changed(sender, instance, **kwargs):
    touch_calls(pk=instance.call_id)


@receiver(m2m_changed, sender=OpenCall.themes.through, dispatch_uid="applications_call_themes_touch_call")
def call_themes_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear", "pre_clear"):
        return
    if not reverse:  # call.themes.add/remove/set/clear
        touch_calls(pk=instance.pk)
    elif action == "pre_clear":  # theme.open_calls.clear(): the calls are known only before
        touch_calls(themes=instance)
    elif pk_set:  # theme.open_calls.add/remove
        touch_calls(pk__in=pk_set)


@receiver(post_save, sender=Theme, dispatch_uid="applications_theme_saved_touches_calls")
@receiver(pre_delete, sender=Theme, dispatch_uid="applications_theme_deleted_touches_calls")
def theme_changed(sender, instance, **kwargs):
    touch_calls(themes=instance)
