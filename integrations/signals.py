"""Where a cohort's news is noticed: Django's own save signals of threads and events.

``cohorts`` and ``events`` must not know that webhooks exist (they never
import this app), so nothing there calls it; this app listens to their
models' saves instead, which every write path goes through (the services,
the admin, the demo data). Signals here only observe, never drive the
domain: each receiver writes delivery rows in the transaction of the save it
heard, so a rolled-back change sends nothing. A cohort with no endpoint
costs one query per save.

- a thread: a ``Message`` saved for the first time without a parent;
- an event: an ``Event`` saved for the first time;
- moved: its start or end changed while it stays scheduled (the values
  before are read in ``pre_save``, under the lock ``events.services`` holds);
- cancelled: its status became cancelled.
"""

from integrations import payloads, services
from integrations.models import Kind

#: The event fields whose change is news.
WATCHED = frozenset({"starts_at", "ends_at", "status"})


def message_saved(sender, instance, created, raw=False, **kwargs) -> None:
    if raw or not created or instance.parent_id is not None:
        return
    endpoints = services.endpoints_wanting(cohort_id=instance.cohort_id, kinds=[Kind.THREAD_CREATED])
    if endpoints:
        services.webhooks_queue(
            endpoints=endpoints,
            kind=Kind.THREAD_CREATED,
            key=f"thread.created:{instance.pk}",
            payload=payloads.thread_created(instance),
        )


def event_saving(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """Before an existing event is saved: if anyone listens for moves or cancellations, remember how it was."""
    instance._webhooks_before = None
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and not WATCHED & set(update_fields):
        return
    endpoints = services.endpoints_wanting(cohort_id=instance.cohort_id, kinds=[Kind.EVENT_MOVED, Kind.EVENT_CANCELLED])
    if endpoints:
        before = sender.objects.filter(pk=instance.pk).values(*WATCHED).first()
        instance._webhooks_before = (before, endpoints) if before else None


def event_saved(sender, instance, created, raw=False, **kwargs) -> None:
    if raw:
        return
    if created:
        endpoints = services.endpoints_wanting(cohort_id=instance.cohort_id, kinds=[Kind.EVENT_CREATED])
        if endpoints:
            services.webhooks_queue(
                endpoints=endpoints,
                kind=Kind.EVENT_CREATED,
                key=f"event.created:{instance.pk}",
                payload=payloads.event_created(instance),
            )
        return
    remembered = instance.__dict__.pop("_webhooks_before", None)
    if remembered is None:
        return
    before, endpoints = remembered
    cancelled = sender.Status.CANCELLED
    if instance.status == cancelled and before["status"] != cancelled:
        services.webhooks_queue(
            endpoints=endpoints,
            kind=Kind.EVENT_CANCELLED,
            # The sequence goes up with every announced change (and the save stamps updated_at), so a
            # cancellation after a reinstatement is news again.
            key=f"event.cancelled:{instance.pk}:{instance.sequence}:{instance.updated_at.isoformat()}",
            payload=payloads.event_cancelled(instance),
        )
    elif instance.status != cancelled and (
        instance.starts_at != before["starts_at"] or instance.ends_at != before["ends_at"]
    ):
        services.webhooks_queue(
            endpoints=endpoints,
            kind=Kind.EVENT_MOVED,
            # The new times in the key: moved twice is two messages, even where the sequence did not change.
            key=f"event.moved:{instance.pk}:{instance.sequence}:{instance.starts_at.isoformat()}:{instance.ends_at.isoformat()}",
            payload=payloads.event_moved(instance, starts_at=before["starts_at"], ends_at=before["ends_at"]),
        )
