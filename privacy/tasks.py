"""Background work on personal data: building a data download, and the daily retention sweep."""

from celery import shared_task

from privacy.models import DataExport


@shared_task(name="privacy.data_export_build")
def data_export_build_task(*, export_id: int) -> None:
    """Build and email one data download; quietly nothing if the request is gone (the person was erased)."""
    from privacy.services import data_export_build

    export = DataExport.objects.filter(pk=export_id).first()
    if export is not None:
        data_export_build(export=export)


@shared_task(name="privacy.build_due_data_exports")
def data_exports_build_due_task() -> int:
    """Build the downloads whose own task was lost (the broker was down when asked). Published by the sweep."""
    from privacy.services import data_exports_build_due

    return data_exports_build_due()


@shared_task(name="privacy.retention_sweep")
def retention_sweep_task() -> dict[str, int]:
    """Apply the retention rules once (beat, daily: ``RETENTION_INTERVAL_SECONDS``) and log the run."""
    from privacy.retention import retention_sweep

    return retention_sweep().counts
