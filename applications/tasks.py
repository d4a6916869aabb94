"""Background work for applications. Tasks are thin: they call a service."""

from celery import shared_task

from applications import services


@shared_task(name="applications.send_confirmation", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def application_send_confirmation(*, application_id: int) -> bool:
    """Email the submitter their confirmation, unless it has already gone out."""
    return services.application_confirmation_send(application_id=application_id)
