"""One CSV writer for every export, so each file is guarded against spreadsheet formulas the same way.

Two rules together keep a cell from being run as a formula (CSV injection):

* Every cell is quoted (``csv.QUOTE_ALL``). A separator inside a cell is then data,
  whatever list separator the reader's spreadsheet uses: ``plain text;=5+5`` stays
  one text cell instead of splitting at the ``;`` into a second cell ``=5+5``.
  Quoting is what handles separators; rewriting text after a ``;`` or ``,`` would
  alter ordinary sentences and still miss the reader's own separator.
* A cell that *begins* with a formula character gets a leading ``'``, which
  spreadsheets read as "this is text" and do not show.

Every file starts with one UTF-8 byte order mark, so spreadsheet programs read UTF-8.
"""

import csv
from decimal import Decimal

from django.http import HttpResponse

from toolbox.signals import csv_exported

#: A cell starting with one of these is a formula (or becomes one) to a spreadsheet.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
#: The UTF-8 byte order mark, written once at the start of every export.
BOM = "\ufeff"
#: Said once, for the open data schema and the docs: what the guard changes.
GUARD_NOTE = (
    "In the CSV file a text value that begins with =, +, -, @, a tab, a carriage return or a line feed "
    "is written with a leading apostrophe (') so that spreadsheets do not run it as a formula; "
    "the JSON file has the value as it is."
)


def csv_safe(value) -> str:
    """The text of ``value`` for a CSV cell, with a leading ``'`` if it would start a formula.

    A number (``int``, ``float``, ``Decimal``) is written as it is: ``-12.5`` is a number to a spreadsheet,
    not a formula, and must stay one. Only text is guarded.
    """
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def csv_write(stream, header, rows) -> int:
    """Write the BOM, the header and ``rows`` to ``stream``, every cell guarded and quoted; return the rows written."""
    stream.write(BOM)
    writer = csv.writer(stream, quoting=csv.QUOTE_ALL)
    writer.writerow([csv_safe(cell) for cell in header])
    count = 0
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
        count += 1
    return count


def csv_response(filename: str, header, rows, *, inline: bool = False, request=None) -> HttpResponse:
    """An HTTP response holding one guarded CSV file: ``attachment`` unless ``inline``.

    With ``request`` (an export of personal data), ``toolbox.signals.csv_exported`` is sent, so the
    access log records who exported it. The response keeps ``csv_filename`` and ``csv_rows`` for
    ``csv_exported_by``.
    """
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.csv_filename = filename
    response.csv_rows = csv_write(response, header, rows)
    if request is not None:
        csv_exported_by(request, response)
    return response


def csv_exported_by(request, response: HttpResponse) -> HttpResponse:
    """Say that ``request``'s user exported ``response`` (made by ``csv_response``), and return it.

    For a caller that gets the response from a helper that does not take the request, e.g. an admin action.
    """
    csv_exported.send(sender=csv_response, request=request, filename=response.csv_filename, rows=response.csv_rows)
    return response
