"""Thin tasks over the outbox services."""

from celery import shared_task

from notifications import services


@shared_task(name="notifications.send_email")
def email_send_task(*, email_id: int) -> bool:
    """Send one queued email, unless another worker already has it."""
    return services.email_send(email_id=email_id)
