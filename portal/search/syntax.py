"""The search box's syntax, read into a query that any search backend can run.

Supported: words (all required), "exact phrases", ``OR`` between two terms, ``-word`` or
``-"phrase"`` to exclude, and ``prefix*`` (at least three letters). Everything else is searched as
plain words: unbalanced quotes, stray operators, wildcards elsewhere, punctuation. Reading never
raises.

The result names what to match, not how: a backend analyses each clause's text its own way
(stemming, stop words). A clause left without any word by that analysis drops out, and so does a
group left without clauses; ``portal.search.query`` does this for Whoosh.
"""

import re
from dataclasses import dataclass

TOKEN = re.compile(r'-?"[^"]*"?|\S+')
PREFIX = re.compile(r"^([^\W_]{3,})\*+$")
LETTERS = re.compile(r"[^\W\d_]+")
OR = "OR"

WORDS, PHRASE, PREFIX_OF = "words", "phrase", "prefix"


@dataclass(frozen=True)
class Clause:
    """One unit of the query: ``words`` (each required), a ``phrase`` (in this order) or a ``prefix``."""

    kind: str
    text: str  # as typed, without the quotes, the minus sign or the star
    negative: bool = False

    @property
    def letters(self) -> list[str]:
        """The words of plain text as typed, lower-cased (what "did you mean" may correct)."""
        return [word.lower() for word in LETTERS.findall(self.text)] if self.kind == WORDS else []


@dataclass(frozen=True)
class SearchQuery:
    """What the search box asks: every group must match (a group ORs its clauses), no exclusion may."""

    text: str  # the box's text, its spaces normalised
    groups: tuple[tuple[Clause, ...], ...] = ()
    exclusions: tuple[Clause, ...] = ()


def _clause(raw: str) -> Clause | str:
    if raw == OR:
        return OR
    negative = raw.startswith("-") and len(raw) > 1
    body = raw[1:] if negative else raw
    if body.startswith('"'):
        return Clause(PHRASE, body.strip('"'), negative)
    if (match := PREFIX.match(body)) is not None:
        return Clause(PREFIX_OF, match.group(1).lower(), negative)
    return Clause(WORDS, body, negative)


def read(text: str | None) -> SearchQuery:
    """Read the search box; anything unusual degrades to plain words."""
    text = " ".join((text or "").split())
    # OR joins the clauses on either side of it (exclusions cannot be OR-ed: they stay exclusions).
    groups: list[list[Clause]] = []
    joining = False
    for clause in map(_clause, TOKEN.findall(text)):
        if clause == OR:
            joining = bool(groups) and not groups[-1][-1].negative
            continue
        if joining and not clause.negative:
            groups[-1].append(clause)
        else:
            groups.append([clause])
        joining = False
    return SearchQuery(
        text=text,
        groups=tuple(tuple(group) for group in groups if not group[0].negative),
        exclusions=tuple(group[0] for group in groups if group[0].negative),
    )
