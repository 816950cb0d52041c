"""Reporting figures stored as plain JSON read back as they were made, in compact rows."""

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pytest

from portal.catalogue.reporting import codec
from portal.catalogue.reporting.partners import PartnerRow
from portal.catalogue.spreadsheets import csv_chunks, to_csv


@dataclass(frozen=True, slots=True)
class Row:
    name: str
    country: str | None = field(metadata=codec.REPEATED)
    seen: datetime | None
    note: str = field(default="", metadata=codec.NOT_KEPT)


@dataclass(frozen=True)
class Figures:
    rows: list[Row]
    counts: dict[int, int]


def partner(organisation_id: int, country: str | None) -> PartnerRow:
    moment = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    return PartnerRow(organisation_id, f"Partner {organisation_id}", country, "government", date(2020, 1, 2),
                      2, 1, 1, 0, moment, moment, False, None, True, None)


def test_rows_with_slots_read_back_equal_with_their_repeated_texts_shared():
    moment = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    figures = Figures([Row("A", "KE", moment, note="not stored"), Row("B", "KE", None), Row("C", None, None)],
                      {7: 1, 12: 3})
    text = codec.dumps(figures)
    assert "not stored" not in text and json.loads(text)[1] == [[7, 1], [12, 3]]  # plain JSON, no pickle
    read = codec.loads(Figures, text)
    assert read == Figures([Row("A", "KE", moment), Row("B", "KE", None), Row("C", None, None)], {7: 1, 12: 3})
    assert read.rows[0].country is read.rows[1].country  # one string for every row of Kenya
    assert not hasattr(read.rows[0], "__dict__")


def test_partner_rows_are_compact_and_read_back_as_computed():
    rows = [partner(1, "KE"), partner(2, "KE"), partner(3, None)]
    read = codec.loads(list[PartnerRow], codec.dumps(rows))
    assert read == rows and read[0].reported and not hasattr(read[0], "__dict__")
    assert read[0].country is read[1].country and read[0].type is read[2].type


def test_a_change_of_fields_changes_the_layout():
    @dataclass(frozen=True, slots=True)
    class Wider:
        name: str
        country: str | None = field(metadata=codec.REPEATED)
        seen: datetime | None
        extra: int = 0

    assert codec.layout(Row) != codec.layout(Wider)


@pytest.mark.parametrize("rows_per_chunk", [1, 2, 3, 500])
def test_a_csv_in_chunks_is_the_same_file(rows_per_chunk):
    header = ("Organisation", "Items")
    rows = [("=cmd()", 1), ("Partner, with a comma", 2), ("Ministère", None)]
    chunks = list(csv_chunks(header, rows, rows_per_chunk))
    assert "".join(chunks) == to_csv(header, rows)
    assert chunks[0].startswith("\ufeffOrganisation,Items\r\n") and "".join(chunks).count("\ufeff") == 1
    assert "'=cmd()" in chunks[0] and '"Partner, with a comma"' in "".join(chunks)
    assert len(chunks) == -(-len(rows) // rows_per_chunk)
    assert list(csv_chunks(header, [])) == ["\ufeffOrganisation,Items\r\n"]
