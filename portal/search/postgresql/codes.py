"""Facet values as 32-bit codes in the search rows: counting integers is about twice as fast as
counting text, and a code is a hash of ``facet:value``, so it never moves when a vocabulary grows
(a new theme or country) and a new facet (say ``language``) needs no new column: add it to
``portal.catalogue.facets`` and to ``portal.search.cards.facet_values``, then ``search reindex``.

Every known value's code is checked at import: two values sharing one would stop the app here.
"""

import zlib
from datetime import datetime
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


def listed_month(updated_at: datetime) -> int:
    """The code a published, unhidden row holds for the month it was last updated in: the visibility
    rule's window as a few codes, so that the facet index finds the public rows without reading the
    others (``matching.public_rows``)."""
    return code(f"listed:{updated_at:%Y-%m}")


def listed_months(since: datetime, until: datetime) -> list[int]:
    """The codes of every month from ``since``'s to ``until``'s."""
    months = range(since.year * 12 + since.month - 1, until.year * 12 + until.month)
    return [listed_month(datetime(month // 12, month % 12 + 1, 1)) for month in months]


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

_MONTHS = listed_months(datetime(1990, 1, 1), datetime(2199, 12, 1))
_known = sum(len(facet.values) for facet in FACETS) + len(PROGRAMMES) * len(STATUSES) + 1 + len(_MONTHS)
if len(VALUES.keys() | PAIRS.keys() | {TOTAL} | set(_MONTHS)) != _known:
    raise RuntimeError("Two facet values share one search code: change portal.search.postgresql.codes.code")
