"""The search box's query (``portal.search.syntax``) as Whoosh sees it: analysed terms, Whoosh
queries for phrases and the scorer, and highlighting of what matched."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from markupsafe import Markup, escape
from whoosh import query as wq

from portal.i18n import current_language
from portal.search import analysis, syntax
from portal.search.documents import TEXT_FIELDS
from portal.search.segmenting import CJK, is_cjk, marked_spans, with_marks

# A word as highlighting reads it: a run of CJK characters (highlighted by its pairs), or other letters.
WORD = re.compile(f"[{CJK}]+|[^\\W{CJK}]+")
MIN_PREFIX = 3  # letters, as the syntax asks (portal.search.syntax.PREFIX)


@dataclass
class Clause:
    """One clause for Whoosh: ``terms`` (each word required, in any of its variants), a ``phrase`` (in
    any of its readings) or a ``prefix`` (of any of its variants).

    ``tokens``: for terms, each word's variants (its terms in each language the query is read in); for
    a phrase, each reading's terms in order; for a prefix, the prefixes.
    """

    kind: str
    tokens: list[tuple[str, ...]]
    query: wq.Query
    negative: bool = False


@dataclass
class ParsedQuery:
    """A parsed search: the Whoosh query (None: everything), and what highlighting and spelling need."""

    text: str
    query: wq.Query | None
    positive: bool  # at least one clause that ranks documents
    terms: set[str] = field(default_factory=set)  # index terms to highlight (every language's)
    prefixes: list[str] = field(default_factory=list)  # folded, as typed
    words: list[str] = field(default_factory=list)  # plain words as typed, for "did you mean"
    groups: list[list[Clause]] = field(default_factory=list)  # AND of groups; a group ORs its clauses
    exclusions: list[Clause] = field(default_factory=list)
    # Highlighting's memo: (word as written, analysis) → whether it is marked. A page's cards share most
    # of their words, and folding and stemming each one again cost more than the rest of highlighting.
    marked: dict[tuple[str, str], bool] = field(default_factory=dict, repr=False, compare=False)

    @property
    def key(self) -> str:
        return repr(self.query)

    def marks(self, word: str, name: str) -> bool:
        """Whether ``word`` (as written in a text analysed by ``name``) matched the query."""
        key = (word, name)
        found = self.marked.get(key)
        if found is None:
            folded = analysis.fold(word)
            found = self.marked[key] = analysis.term(folded, name) in self.terms or bool(
                self.prefixes and folded.startswith(tuple(self.prefixes))  # startswith takes them all at once
            )
        return found


def _term(token: str) -> wq.Query:
    return wq.Or([wq.Term(name, token, boost=boost) for name, boost in TEXT_FIELDS.items()])


def _word(variants: tuple[str, ...]) -> wq.Query:
    """A word in any of its variants (its terms in the languages the query is read in), as an OR:
    Whoosh's ``DisjunctionMax`` would score by the best one, but its matcher takes the best score of
    sub-matchers standing on different documents (whoosh3 3.54)."""
    return _term(variants[0]) if len(variants) == 1 else wq.Or([_term(variant) for variant in variants])


def _phrase(readings: list[tuple[str, ...]]) -> wq.Query:
    return wq.Or([wq.Phrase(name, list(reading), boost=boost)
                  for reading in readings for name, boost in TEXT_FIELDS.items()])


def _prefix(variants: tuple[str, ...]) -> wq.Query:
    return wq.Or([wq.Prefix(name, variant, boost=boost) for name, boost in TEXT_FIELDS.items() for variant in variants])


def _variants(words: list[str], analysers: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Each word's distinct terms under ``analysers``, in a stable order."""
    return [tuple(dict.fromkeys(analysis.term(word, name) for name in analysers)) for word in words]


def _compile_clause(clause: syntax.Clause, analysers: tuple[str, ...]) -> Clause | None:
    """The Whoosh form of one clause; None when its text has no word to search (stop words only)."""
    if clause.kind == syntax.PREFIX_OF:
        typed = analysis.fold(clause.text)
        # Its stems too (the index holds stems: "sustaina*" finds "sustainable" as "sustain"), but none
        # shorter than a prefix may be.
        stems = [stem for stem in _variants([typed], analysers)[0] if len(stem) >= MIN_PREFIX]
        variants = tuple(dict.fromkeys([typed, *stems]))
        return Clause("prefix", [variants], _prefix(variants), clause.negative)
    words = analysis.words(clause.text)
    if not words:
        return None
    variants = _variants(words, analysers)
    if clause.kind == syntax.PHRASE and len(words) > 1:
        readings = list(dict.fromkeys(tuple(analysis.term(word, name) for word in words) for name in analysers))
        return Clause("phrase", readings, _phrase(readings), clause.negative)
    query = wq.And([_word(word) for word in variants]) if len(variants) > 1 else _word(variants[0])
    return Clause("terms", variants, query, clause.negative)


def compile_query(search: syntax.SearchQuery, languages: Iterable[str | None] = ()) -> ParsedQuery:
    """The Whoosh query of ``search`` read in the interface language and in ``languages`` (those of
    the items in the index), with what highlighting and spelling suggestions need."""
    analysers = analysis.analysers([current_language(), *languages])
    parsed = ParsedQuery(text=search.text, query=None, positive=False)
    for group in search.groups:
        compiled = []
        for clause in group:
            found = _compile_clause(clause, analysers)
            if found is None:
                continue
            compiled.append(found)
            if found.kind == "prefix":
                parsed.prefixes.append(analysis.fold(clause.text))
            else:
                parsed.terms.update(token for tokens in found.tokens for token in tokens)
                parsed.words.extend(clause.letters)
        if compiled:
            parsed.groups.append(compiled)
    exclusions = (_compile_clause(clause, analysers) for clause in search.exclusions)
    parsed.exclusions = [found for found in exclusions if found is not None]
    positives = [group[0].query if len(group) == 1 else wq.Or([c.query for c in group]) for group in parsed.groups]
    negatives = [clause.query for clause in parsed.exclusions]
    if not positives and not negatives:
        return parsed
    parsed.positive = bool(positives)
    positive = (positives[0] if len(positives) == 1 else wq.And(positives)) if positives else wq.Every()
    parsed.query = wq.AndNot(positive, wq.Or(negatives)) if negatives else positive
    return parsed


def parse(text: str, languages: Iterable[str | None] = ()) -> ParsedQuery:
    """Read the search box and compile it for Whoosh, in the interface language and ``languages``;
    anything unusual degrades to plain words."""
    return compile_query(syntax.read(text), languages)


def highlight(text: str, parsed: ParsedQuery, language: str | None = "en") -> Markup:
    """``text`` (written in ``language``) escaped, with the words that matched the query in ``<mark>``."""
    if not text or not (parsed.terms or parsed.prefixes):
        return escape(text or "")
    name = analysis.analyser(language)
    spans: list[tuple[int, int]] = []
    for match in WORD.finditer(text):
        word = match.group()
        if is_cjk(word[0]):  # the whole match is a run (``WORD``): its pairs are marked
            spans += [(match.start() + start, match.start() + end) for start, end in marked_spans(word, parsed.terms)]
        elif parsed.marks(word, name):
            spans.append(match.span())
    return with_marks(text, spans)
