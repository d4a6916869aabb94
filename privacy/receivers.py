"""The toolbox's signals, written into the access log."""

from django.dispatch import receiver

from privacy.models import AccessRecord
from privacy.services import access_record
from toolbox.signals import csv_exported, file_downloaded


@receiver(csv_exported, dispatch_uid="privacy_csv_exported")
def _record_csv_export(sender, *, request, filename, rows, **kwargs):
    access_record(request=request, kind=AccessRecord.Kind.CSV_EXPORT, what=filename, rows=rows)


@receiver(file_downloaded, dispatch_uid="privacy_file_downloaded")
def _record_file_download(sender, *, request, what, **kwargs):
    # Staff opening an organisation's files is what the log is for; a lead contact opening their own is not.
    if request.user.is_authenticated and request.user.is_staff:
        access_record(request=request, kind=AccessRecord.Kind.FILE_DOWNLOAD, what=what)
