"""The search box's syntax, turned into a Whoosh query.

Supported: words (all required), "exact phrases", ``OR`` between two terms, ``-word`` or
``-"phrase"`` to exclude, and ``prefix*`` (at least three letters). Everything else is searched as
plain words: unbalanced quotes, stray operators, wildcards elsewhere, punctuation. Parsing never
raises.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from markupsafe import Markup, escape
from whoosh import query as wq
from whoosh.lang.porter import stem

from portal.search.documents import ANALYZER, TEXT_FIELDS

WORD = re.compile(r"\w+")
TOKEN = re.compile(r'-?"[^"]*"?|\S+')
PREFIX = re.compile(r"^([^\W_]{3,})\*+$")
MIN_PREFIX = 3


@dataclass
class Clause:
    """One unit of the query: ``terms`` (all required), a ``phrase`` or a ``prefix``."""

    kind: str
    tokens: list[str]
    query: wq.Query
    negative: bool = False


@dataclass
class ParsedQuery:
    """A parsed search: the Whoosh query (None: everything), and what highlighting and spelling need."""

    text: str
    query: wq.Query | None
    positive: bool  # at least one clause that ranks documents
    terms: set[str] = field(default_factory=set)  # analysed terms to highlight
    prefixes: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # plain words as typed, for "did you mean"
    groups: list[list[Clause]] = field(default_factory=list)  # AND of groups; a group ORs its clauses
    exclusions: list[Clause] = field(default_factory=list)

    @property
    def key(self) -> str:
        return repr(self.query)


def _analyse(text: str) -> list[str]:
    return [token.text for token in ANALYZER(text)]


def _term(token: str) -> wq.Query:
    return wq.Or([wq.Term(name, token, boost=boost) for name, boost in TEXT_FIELDS.items()])


def _phrase(tokens: list[str]) -> wq.Query:
    if len(tokens) == 1:
        return _term(tokens[0])
    return wq.Or([wq.Phrase(name, tokens, boost=boost) for name, boost in TEXT_FIELDS.items()])


def _prefix(text: str) -> wq.Query:
    text = text.lower()
    variants = sorted({text, stem(text)})
    return wq.Or([wq.Prefix(name, variant, boost=boost) for name, boost in TEXT_FIELDS.items() for variant in variants])




def parse(text: str) -> ParsedQuery:
    """Parse the search box; anything unusual degrades to plain words."""
    text = " ".join((text or "").split())
    parsed = ParsedQuery(text=text, query=None, positive=False)
    if not text:
        return parsed
    clauses: list[Clause | str] = []
    for raw in TOKEN.findall(text):
        negative = raw.startswith("-") and len(raw) > 1
        body = raw[1:] if negative else raw
        if raw == "OR":
            clauses.append("OR")
            continue
        if body.startswith('"'):
            tokens = _analyse(body.strip('"'))
            if not tokens:
                continue
            clause = Clause("phrase" if len(tokens) > 1 else "terms", tokens, _phrase(tokens), negative)
            if not negative:
                parsed.terms.update(tokens)
        elif (match := PREFIX.match(body)) is not None:
            clause = Clause("prefix", [match.group(1).lower()], _prefix(match.group(1)), negative)
            if not negative:
                parsed.prefixes.append(match.group(1).lower())
        else:
            tokens = _analyse(body)
            if not tokens:
                continue
            words = wq.And([_term(token) for token in tokens]) if len(tokens) > 1 else _term(tokens[0])
            clause = Clause("terms", tokens, words, negative)
            if not negative:
                parsed.terms.update(tokens)
                parsed.words.extend(word.lower() for word in re.findall(r"[^\W\d_]+", body))
        clauses.append(clause)

    # OR joins the clauses on either side of it (exclusions cannot be OR-ed: they stay exclusions).
    groups: list[list[Clause]] = []
    joining = False
    for clause in clauses:
        if clause == "OR":
            joining = bool(groups) and not groups[-1][-1].negative
            continue
        if joining and not clause.negative:
            groups[-1].append(clause)
        else:
            groups.append([clause])
        joining = False

    positives, negatives = [], []
    for group in groups:
        if group[0].negative:
            negatives.append(group[0].query)
            parsed.exclusions.append(group[0])
            continue
        parsed.groups.append(group)
        if len(group) == 1:
            positives.append(group[0].query)
        else:
            positives.append(wq.Or([clause.query for clause in group]))
    if not positives and not negatives:
        return parsed
    parsed.positive = bool(positives)
    positive = (positives[0] if len(positives) == 1 else wq.And(positives)) if positives else wq.Every()
    parsed.query = wq.AndNot(positive, wq.Or(negatives)) if negatives else positive
    return parsed


@lru_cache(maxsize=50000)
def _stem(word: str) -> str:
    return stem(word)


def highlight(text: str, parsed: ParsedQuery) -> Markup:
    """``text`` escaped, with the words that matched the query in ``<mark>``."""
    if not text or not (parsed.terms or parsed.prefixes):
        return escape(text or "")
    pieces: list[str] = []
    position = 0
    for match in WORD.finditer(text):
        word = match.group().lower()
        if _stem(word) in parsed.terms or any(word.startswith(prefix) for prefix in parsed.prefixes):
            pieces.append(escape(text[position : match.start()]))
            pieces.append(Markup("<mark>%s</mark>") % match.group())
            position = match.end()
    pieces.append(escape(text[position:]))
    return Markup("").join(pieces)
