"""Facet values in the search rows, in two forms.

Codes: 32-bit hashes of ``facet:value`` in ``facet_codes`` (and ``pair:programme:status`` in
``pair_codes``), GIN-indexed, so that a search with words finds its rows by ANDing the bitmaps of the
document index and of the facet index. A code never moves when a vocabulary grows.

Bits and numbers: the narrow form every count and every search without words reads. Each value of a
facet with few values is one bit of a ``bigint`` column (``BIT_COLUMNS``: ``bits & mask <> 0`` is
one machine operation, and one pass of ``count(*) FILTER`` counts every value); each value of a
facet with many values (``NUMBERED``: countries, languages) is its position in the vocabulary, a
``smallint`` (an array of them for countries). Bits and numbers follow the vocabularies' order: when
a vocabulary changes, ``search check`` reports every row stale until ``search reindex``.

A new facet: add it to ``portal.catalogue.facets`` and ``portal.search.cards.facet_values``, then to
``BIT_COLUMNS`` (or ``NUMBERED`` and a column), then ``search reindex``. Every known value's code is
checked at import: two values sharing one would stop the app here, as would a full bit column.
"""

import zlib
from typing import Any

from portal.catalogue.facets import FACETS

EVERY_ROW = "*"  # a code every row holds: counting it gives the total


def code(token: str) -> int:
    """The signed 32-bit code of a token (PostgreSQL's integer)."""
    return zlib.crc32(token.encode()) - 2**31


def value_token(facet: str, value: Any) -> str:
    return f"{facet}:{value}"


def pair_token(programme: str, status: str) -> str:
    """An item's status in one programme's portfolio (what ``status`` means once programmes are chosen)."""
    return f"pair:{programme}:{status}"


def values_of(facet: str, values) -> list[int]:
    return [code(value_token(facet, value)) for value in values]


def pairs_of(programmes, statuses) -> list[int]:
    return [code(pair_token(programme, status)) for programme in programmes for status in statuses]


TOTAL = code(EVERY_ROW)
PROGRAMMES = next(facet.values for facet in FACETS if facet.name == "programme")
STATUSES = next(facet.values for facet in FACETS if facet.name == "status")
# code → (facet, value), and code → (programme, status)
VALUES: dict[int, tuple[str, Any]] = {
    code(value_token(facet.name, value)): (facet.name, value) for facet in FACETS for value in facet.values
}
PAIRS: dict[int, tuple[str, str]] = {code(pair_token(p, s)): (p, s) for p in PROGRAMMES for s in STATUSES}

_known = sum(len(facet.values) for facet in FACETS) + len(PROGRAMMES) * len(STATUSES) + 1
if len(VALUES.keys() | PAIRS.keys() | {TOTAL}) != _known:
    raise RuntimeError("Two facet values share one search code: change portal.search.postgresql.codes.code")


# The facets with few values, by the bigint column holding one bit per value (at most 63 per column).
BIT_COLUMNS: dict[str, tuple[str, ...]] = {
    "facet_bits": ("kind", "programme", "sdg", "status", "region", "category", "resource_type", "offer"),
    "theme_bits": ("theme",),
}
# The facets with many values, by the column holding their positions in the vocabulary (an array for
# a facet an item may have several values of).
NUMBERED: dict[str, str] = {"country": "countries", "language": "language"}
BIT_COLUMNS_OF: dict[str, str] = {name: column for column, names in BIT_COLUMNS.items() for name in names}
# (facet, value) → (column, mask), and (programme, status) → mask in ``pair_bits``.
BITS: dict[tuple[str, Any], tuple[str, int]] = {}
_FACET_VALUES = {facet.name: facet.values for facet in FACETS}
for _column, _facets in BIT_COLUMNS.items():
    _values = [(name, value) for name in _facets for value in _FACET_VALUES[name]]
    if len(_values) > 63:
        raise RuntimeError(f"Too many facet values for one bigint: split {_column} in portal.search.postgresql.codes")
    BITS.update({pair: (_column, 1 << bit) for bit, pair in enumerate(_values)})
PAIR_BITS: dict[tuple[str, str], int] = {pair: 1 << bit for bit, pair in enumerate(
    (programme, status) for programme in PROGRAMMES for status in STATUSES)}
NUMBERS: dict[str, dict[Any, int]] = {name: {value: n for n, value in enumerate(_FACET_VALUES[name])}
                                      for name in NUMBERED}
if set(BITS) | {(name, value) for name in NUMBERED for value in _FACET_VALUES[name]} != {
        (facet.name, value) for facet in FACETS for value in facet.values}:
    raise RuntimeError("Every facet needs bits or numbers: see BIT_COLUMNS in portal.search.postgresql.codes")


def mask_of(facet: str, values) -> tuple[str, int]:
    """The column and the mask of ``values`` of a facet with bits (values OR-ed)."""
    column = BIT_COLUMNS_OF[facet]
    return column, sum(BITS[facet, value][1] for value in values)


def pair_mask(programmes, statuses) -> int:
    return sum(PAIR_BITS[programme, status] for programme in programmes for status in statuses)


def numbers_of(facet: str, values) -> list[int]:
    return [NUMBERS[facet][value] for value in values]


def narrow_values(facets: dict[str, Any], portfolio: dict[str, str]) -> dict[str, Any]:
    """The bit columns, ``pair_bits`` and the numbered columns of a row with these facet values
    (``portal.search.cards.facet_values``) and this portfolio (programme → status). Values that are in
    no vocabulary are left out: no filter nor count can name them."""
    row: dict[str, Any] = {}
    for column, names in BIT_COLUMNS.items():
        row[column] = sum(BITS[name, value][1] for name in names for value in set(facets[name])
                          if (name, value) in BITS)
    row["pair_bits"] = sum(PAIR_BITS[pair] for pair in set(portfolio.items()) if pair in PAIR_BITS)
    numbers = {name: sorted({NUMBERS[name][value] for value in facets[name] if value in NUMBERS[name]})
               for name in NUMBERED}
    row["countries"] = numbers["country"]
    row["language"] = numbers["language"][0] if numbers["language"] else None
    return row
