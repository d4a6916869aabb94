"""Signals the toolbox sends, so an app that keeps a record (privacy's access log) hears without being imported.

* ``csv_exported``: a CSV file with personal data left the site. Sent by ``csvutils.csv_response`` (and
  ``csvutils.csv_exported_by``) with ``request``, ``filename`` and ``rows`` (the data rows written).
* ``file_downloaded``: a private file was served. Sent by the view that serves it, with ``request`` and
  ``what`` (a description without anyone's name, e.g. "agreement of award 12").
"""

from django.dispatch import Signal

csv_exported = Signal()
file_downloaded = Signal()
