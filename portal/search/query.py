"""The search box's query (``portal.search.syntax``) as Whoosh sees it: analysed terms, Whoosh
queries for phrases and the scorer, and highlighting of what matched."""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from markupsafe import Markup, escape
from whoosh import query as wq
from whoosh.lang.porter import stem

from portal.search import syntax
from portal.search.documents import ANALYZER, TEXT_FIELDS

WORD = re.compile(r"\w+")


@dataclass
class Clause:
    """One clause for Whoosh: analysed ``terms`` (all required), a ``phrase`` or a ``prefix``."""

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




def _compile_clause(clause: syntax.Clause) -> Clause | None:
    """The Whoosh form of one clause; None when its text has no word to search (stop words only)."""
    if clause.kind == syntax.PREFIX_OF:
        return Clause("prefix", [clause.text], _prefix(clause.text), clause.negative)
    tokens = _analyse(clause.text)
    if not tokens:
        return None
    if clause.kind == syntax.PHRASE:
        return Clause("phrase" if len(tokens) > 1 else "terms", tokens, _phrase(tokens), clause.negative)
    words = wq.And([_term(token) for token in tokens]) if len(tokens) > 1 else _term(tokens[0])
    return Clause("terms", tokens, words, clause.negative)


def compile_query(search: syntax.SearchQuery) -> ParsedQuery:
    """The Whoosh query of ``search``, with what highlighting and spelling suggestions need."""
    parsed = ParsedQuery(text=search.text, query=None, positive=False)
    for group in search.groups:
        compiled = []
        for clause in group:
            found = _compile_clause(clause)
            if found is None:
                continue
            compiled.append(found)
            if found.kind == "prefix":
                parsed.prefixes.extend(found.tokens)
            else:
                parsed.terms.update(found.tokens)
                parsed.words.extend(clause.letters)
        if compiled:
            parsed.groups.append(compiled)
    parsed.exclusions = [found for found in map(_compile_clause, search.exclusions) if found is not None]
    positives = [group[0].query if len(group) == 1 else wq.Or([c.query for c in group]) for group in parsed.groups]
    negatives = [clause.query for clause in parsed.exclusions]
    if not positives and not negatives:
        return parsed
    parsed.positive = bool(positives)
    positive = (positives[0] if len(positives) == 1 else wq.And(positives)) if positives else wq.Every()
    parsed.query = wq.AndNot(positive, wq.Or(negatives)) if negatives else positive
    return parsed


def parse(text: str) -> ParsedQuery:
    """Read the search box and compile it for Whoosh; anything unusual degrades to plain words."""
    return compile_query(syntax.read(text))


@lru_cache(maxsize=50000)
def _stem(word: str) -> str:
    return stem(word)


def highlight(text: str, parsed: ParsedQuery) -> Markup:
    """``text`` escaped, with the words that matched the query in ``<mark>``."""
    if not text or not (parsed.terms or parsed.prefixes):
        return escape(text or "")
    pieces: list[str] = []
    position = 0
    terms, prefixes = parsed.terms, tuple(parsed.prefixes)  # str.startswith takes them all at once
    for match in WORD.finditer(text):
        word = match.group().lower()
        if _stem(word) in terms or (prefixes and word.startswith(prefixes)):
            pieces.append(escape(text[position : match.start()]))
            pieces.append(Markup("<mark>%s</mark>") % match.group())
            position = match.end()
    pieces.append(escape(text[position:]))
    return Markup("").join(pieces)
