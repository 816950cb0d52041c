"""The search box's query (``portal.search.syntax``) as Whoosh sees it: analysed terms, Whoosh
queries for phrases and the scorer, and highlighting of what matched."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from markupsafe import Markup, escape
from whoosh import query as wq

from portal.i18n import current_language
from portal.search import analysis, syntax
from portal.search.documents import TEXT_FIELDS
from portal.search.segmenting import CJK, RUN, is_cjk, marked_spans, with_marks

# A word as highlighting reads it: a run of CJK characters (highlighted by its pairs), or other letters;
# in a text of ASCII characters only (most of them: checking takes no time), simply letters.
WORD = re.compile(f"[{CJK}]+|[^\\W{CJK}]+")
ASCII_WORD = re.compile(r"\w+")
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
    # Highlighting's memo, per analysis: the words (as written) looked at, and those that matched. A
    # page's cards share most of their words, and folding and stemming each one again cost more than
    # the rest of highlighting.
    seen: dict[str, tuple[set[str], set[str]]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def key(self) -> str:
        return repr(self.query)

    def marked_among(self, words: set[str], name: str) -> set[str]:
        """Those of ``words`` (as written in a text analysed by ``name``) that matched the query."""
        seen, marked = self.seen.setdefault(name, (set(), set()))
        prefixes = tuple(self.prefixes)
        for word in words - seen:
            seen.add(word)
            folded, term = _analysed(word, name)
            # startswith takes every prefix at once
            if term in self.terms or (prefixes and folded.startswith(prefixes)):
                marked.add(word)
        return words & marked


@lru_cache(maxsize=32768)
def _analysed(word: str, name: str) -> tuple[str, str]:
    """A word as written, folded, and its index term under the analysis ``name`` (whatever the query:
    pages show the same words again and again)."""
    folded = analysis.fold(word)
    return folded, analysis.term(folded, name)


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
    return highlight_all([(text, language)], parsed)[0]


def highlight_all(texts: Sequence[tuple[str, str | None]], parsed: ParsedQuery) -> list[Markup]:
    """Each ``(text, language)`` of ``texts`` highlighted like ``highlight``.

    Whether a word is marked depends on the word and its text's analysis only, so one pattern per
    analysis, of every marked word of all the texts, marks them all (compiled once per set of words).
    It runs on the escaped text: escaping adds words only inside character references (``&amp;``,
    ``&#39;``), which the pattern skips, and never joins or splits the text's own words. A text holding
    Chinese, Japanese or Korean is marked span by span instead (``_with_runs``).
    """
    if not (parsed.terms or parsed.prefixes):
        return [escape(text or "") for text, _language in texts]
    names = [analysis.analyser(language) for _text, language in texts]
    plain = [text or "" for text, _language in texts]
    words: dict[str, set[str]] = {}
    for text, name in zip(plain, names, strict=True):
        words.setdefault(name, set()).update((ASCII_WORD if text.isascii() else WORD).findall(text))
    marked_words = {name: parsed.marked_among(written, name) for name, written in words.items()}
    patterns = {name: _pattern(frozenset(found)) for name, found in marked_words.items()}
    marked = []
    for text, name in zip(plain, names, strict=True):
        if not text.isascii() and RUN.search(text):
            marked.append(_with_runs(text, marked_words[name], parsed.terms))
            continue
        escaped = escape(text)
        pattern = patterns[name]
        # On a plain str: re.sub joins its pieces like the text given, and Markup's join would escape them.
        marked.append(Markup(pattern.sub(r"<mark>\g<0></mark>", str(escaped))) if pattern else escaped)  # noqa: S704
    return marked


@lru_cache(maxsize=1024)
def _pattern(words: frozenset[str]) -> re.Pattern | None:
    """``words`` where each stands whole (as ``WORD`` finds it) in escaped text, outside character
    references. Each word is followed by its own look-behinds, so the pattern starts with the words
    themselves and the regular expression engine skips to their first letters."""
    if not words:
        return None
    alternatives = (f"{word}(?<![\\w&]{word})(?<!&#{word})" for word in map(re.escape, sorted(words)))
    return re.compile("(?:" + "|".join(alternatives) + r")(?!\w)")


def _with_runs(text: str, marked_words: set[str], terms: set[str]) -> Markup:
    """``text`` with its marked words, and the pairs of its CJK runs that are ``terms``, in ``<mark>``."""
    spans: list[tuple[int, int]] = []
    for match in WORD.finditer(text):
        word = match.group()
        if is_cjk(word[0]):  # the whole match is a run (``WORD``): its pairs are marked
            spans += [(match.start() + start, match.start() + end) for start, end in marked_spans(word, terms)]
        elif word in marked_words:
            spans.append(match.span())
    return with_marks(text, spans)
