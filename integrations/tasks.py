"""Thin tasks over the webhook services."""

from celery import shared_task

from integrations import services


@shared_task(name="integrations.deliver_webhook")
def webhook_deliver_task(*, delivery_id: int) -> bool:
    """Post one pending webhook, unless another worker already has it."""
    return services.webhook_deliver(delivery_id=delivery_id)


@shared_task(name="integrations.deliver_due_webhooks")
def webhooks_deliver_due_task() -> int:
    """Post every pending webhook that is due (retries, and any whose task was lost). Published by the sweep."""
    return services.webhooks_deliver_due()
