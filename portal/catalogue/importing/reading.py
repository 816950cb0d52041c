"""Reading an import file: CSV (UTF-8, a header row) or a JSON list of objects, into rows of text.

Everything that makes the whole file unusable is found here, before any row is written: bytes that
are not UTF-8, an empty file, a missing header, unknown or repeated columns, broken CSV quoting, JSON
that is not a list of objects. Those raise ``FileRefused``; a file that reads is ``ImportFile``.
Rows keep the number a person finds them by: the CSV line (the header is line 1; a quoted cell over
several lines counts from the line the row starts on) or the JSON record (the first is record 1).
"""

import csv
import io
import json
from dataclasses import dataclass

from flask_babel import gettext as _

from portal.catalogue import RuleViolation

# Cells are text; a JSON list value (["spp", "ci"]) reads like the CSV's "spp;ci".
SEPARATOR = ";"


class FileRefused(RuleViolation):
    """The file as a whole cannot be imported; nothing of it was written."""

    def __init__(self, message: str):
        super().__init__(message, field="file")


@dataclass
class Row:
    number: int  # the CSV line, or the JSON record
    values: dict[str, str]
    extra_cells: int = 0  # non-empty CSV cells beyond the header's columns


@dataclass
class ImportFile:
    rows: list[Row]
    columns: list[str]
    unit: str = "line"  # what ``Row.number`` counts: "line" (CSV) or "record" (JSON)


def _decode(content: bytes) -> str:
    if not content.strip():
        raise FileRefused(_("The file is empty."))
    try:
        return content.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte-order mark
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise FileRefused(
            _("The file is not UTF-8 text (line %(line)d has byte 0x%(byte)02x). Save it as “CSV UTF-8” "
              "(or UTF-8 JSON) and try again.", line=line, byte=content[error.start])
        ) from None


def _check_columns(found: list[str], known: tuple[str, ...], required: tuple[str, ...]) -> None:
    if not any(name in known for name in found):
        raise FileRefused(
            _("The first line must be the header that names the columns (%(columns)s); it is: %(found)s.",
              columns=", ".join(known), found=", ".join(found)[:300] or _("empty"))
        )
    if repeated := sorted({name for name in found if found.count(name) > 1}):
        raise FileRefused(_("The header names these columns twice: %(names)s.", names=", ".join(repeated)))
    if unknown := [name for name in found if name not in known]:
        raise FileRefused(
            _("Unknown columns: %(unknown)s. The columns are: %(columns)s.",
              unknown=", ".join(name or _("(an empty name)") for name in unknown), columns=", ".join(known))
        )
    if missing := [name for name in required if name not in found]:
        raise FileRefused(_("The file needs the columns: %(names)s.", names=", ".join(missing)))


def _csv_rows(text: str, known: tuple[str, ...], required: tuple[str, ...]) -> ImportFile:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
        columns = [name.strip().lower() for name in header]
        _check_columns(columns, known, required)
        rows = []
        start = reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                extra = sum(1 for cell in cells[len(columns):] if cell.strip())
                rows.append(Row(start, dict(zip(columns, cells, strict=False)), extra))
            start = reader.line_num + 1
    except csv.Error as error:
        raise FileRefused(_("The CSV cannot be read at line %(line)d: %(error)s.", line=reader.line_num,
                            error=str(error))) from None
    return ImportFile(rows, columns)


def _json_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return SEPARATOR.join(_json_value(part) for part in value)
    if isinstance(value, dict):
        return SEPARATOR.join(f"{key}:{_json_value(part)}" for key, part in value.items())
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _json_rows(text: str, known: tuple[str, ...], required: tuple[str, ...]) -> ImportFile:
    try:
        records = json.loads(text)
    except json.JSONDecodeError as error:
        raise FileRefused(_("The JSON cannot be read at line %(line)d: %(error)s.", line=error.lineno,
                            error=error.msg)) from None
    if not isinstance(records, list):
        raise FileRefused(_("The JSON must be a list of records: [{\"source_id\": ...}, ...]."))
    columns: list[str] = []
    rows = []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise FileRefused(_("Record %(number)d of the JSON list is not an object.", number=number))
        columns.extend(name for name in record if name not in columns)
        rows.append(Row(number, {name: _json_value(value) for name, value in record.items()}))
    _check_columns(columns or list(required), known, ())
    return ImportFile(rows, columns, unit="record")


def read_file(content: bytes, filename: str, known: tuple[str, ...], required: tuple[str, ...]) -> ImportFile:
    """The rows of an import file with the ``known`` columns, or ``FileRefused`` saying why none can be imported."""
    text = _decode(content)
    if filename.lower().endswith(".json") or text.lstrip().startswith("["):
        parsed = _json_rows(text, known, required)
    else:
        parsed = _csv_rows(text, known, required)
    if not parsed.rows:
        raise FileRefused(_("The file has a header but no rows."))
    return parsed


def split(value: str) -> list[str]:
    return [part.strip() for part in value.split(SEPARATOR) if part.strip()]


def first_rows(rows: list[Row], column: str = "source_id", *, fold_case: bool = False) -> dict[str, int]:
    """Each key (source_id, or an organisation's name) → the first row that has it; later rows are refused."""
    found: dict[str, int] = {}
    for row in rows:
        key = " ".join((row.values.get(column) or "").split())
        found.setdefault(key.lower() if fold_case else key, row.number)
    return found
