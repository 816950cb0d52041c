"""CSV for spreadsheets, written one way for every download: UTF-8 with a byte-order mark (so that
spreadsheets read it as UTF-8), CRLF line ends (RFC 4180), and no text cell that a spreadsheet would
run as a formula (such text gets a leading quote)."""

import csv
import io
from collections.abc import Iterable, Sequence

# Spreadsheets run a cell that starts with one of these as a formula.
FORMULA_START = frozenset("=+-@\t\r")


def safe_cell(value):
    """``value``, with a leading quote when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value[:1] in FORMULA_START:
        return "'" + value
    return "" if value is None else value


def to_csv(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return "\ufeff" + buffer.getvalue()
