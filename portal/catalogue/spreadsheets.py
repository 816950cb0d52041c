"""CSV for spreadsheets, written one way for every download: UTF-8 with a byte-order mark (so that
spreadsheets read it as UTF-8), CRLF line ends (RFC 4180), and no text cell that a spreadsheet would
run as a formula (such text gets a leading quote)."""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

# Spreadsheets run a cell that starts with one of these as a formula.
FORMULA_START = frozenset("=+-@\t\r")


def safe_cell(value):
    """``value``, with a leading quote when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value[:1] in FORMULA_START:
        return "'" + value
    return "" if value is None else value


def batched(values: Iterable, size: int) -> Iterator[list]:
    """``values`` in lists of ``size`` (``itertools.batched`` from Python 3.12)."""
    values = iter(values)
    while chunk := list(islice(values, size)):
        yield chunk


def to_csv(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    return "".join(csv_chunks(header, rows))


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence], rows_per_chunk: int = 500) -> Iterator[str]:
    """The CSV of ``to_csv`` in pieces of ``rows_per_chunk`` rows, for a download sent as it is written:
    a table of 10 000 rows is never held whole, as rows or as text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(header)
    for chunk in batched(rows, rows_per_chunk):
        writer.writerows([safe_cell(value) for value in row] for row in chunk)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()
