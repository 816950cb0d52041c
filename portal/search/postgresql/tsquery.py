"""The search box's query (``portal.search.syntax``) as PostgreSQL tsqueries, once per text search
configuration in use, since each item's words were analysed in its own language.

Each clause is analysed by PostgreSQL itself: words with ``plainto_tsquery`` (all required), phrases
with ``portal_phrase`` (its words in a row, ``<->``; stop words leave no gap there nor in the search
rows, as in Whoosh), prefixes with ``:*`` on the stemmed and
on the plain word (as Whoosh does); a group ORs its clauses (``||``), groups are ANDed (``&&``).
A clause whose words are all stop words in a language drops out for that language, as in Whoosh,
and PostgreSQL's operators drop empty operands the same way.

An item matches when its words match the query's words in any language in use and hold none of the
excluded words in any language: a query has no language of its own, and a word excluded is excluded
however it is stemmed. (Each row's own language's query still ranks and highlights it.) This is one
lookup in the document index, and it never shows an item holding a word the visitor excluded.
When the words drop out entirely in a language (stop words only), every item matches them, as in
Whoosh.
"""

from dataclasses import dataclass

from sqlalchemy import Connection, text

from portal.search import syntax
from portal.search.postgresql.schema import SIMPLE
from portal.search.segmenting import segmented, words_of

# The configurations the search rows use, read from the index on ``config`` (a loose index scan).
_CONFIGS = """
    WITH RECURSIVE used(config) AS (
        SELECT min(config) FROM search_documents
        UNION ALL
        SELECT (SELECT min(config) FROM search_documents WHERE config > used.config) FROM used
        WHERE used.config IS NOT NULL
    )
"""


@dataclass(frozen=True)
class TextQuery:
    """A search's words for PostgreSQL, analysed in each configuration in use ('': dropped out)."""

    positive: dict[str, str]  # configuration → the groups' tsquery (empty when there are no groups)
    excluded: dict[str, str]  # configuration → the exclusions' tsquery, ORed
    cjk_words: frozenset[str] = frozenset()  # the groups' CJK words (``segmenting``), highlighted by hand

    @property
    def ranked(self) -> bool:
        """There are words to rank by (not only exclusions)."""
        return any(self.positive.values())

    @property
    def matches_everything(self) -> bool:
        """Nothing narrows the search: the words dropped out (stop words only) and nothing is excluded."""
        return self.positive_part is None and not self.excluded_part

    @property
    def positive_part(self) -> str | None:
        """Any language's groups; None when they dropped out in some language (all its items match)."""
        if not self.positive or not all(self.positive.values()):
            return None
        return _any(self.positive.values())

    @property
    def excluded_part(self) -> str:
        return _any(self.excluded.values())

    @property
    def condition(self) -> str:
        """The tsquery a row's document must match."""
        positive, excluded = self.positive_part, self.excluded_part
        if excluded:
            return f"( {positive} ) & !( {excluded} )" if positive else f"!( {excluded} )"
        return positive or ""


def _any(queries) -> str:
    return " | ".join(f"( {query} )" for query in sorted(set(queries)) if query)


def literal(lexeme: str) -> str:
    """A lexeme as a tsquery literal, quoted."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _clause(clause: syntax.Clause, name: str, params: dict[str, str]) -> str:
    if clause.kind == syntax.PHRASE:
        params[name] = segmented(clause.text)
        return f"portal_phrase(config::regconfig, :{name})"
    if clause.kind == syntax.PREFIX_OF:  # letters and digits only (syntax.PREFIX): safe in to_tsquery
        params[name] = f"{clause.text}:*"
        return f"(to_tsquery(config::regconfig, :{name}) || to_tsquery('{SIMPLE}', :{name}))"
    params[name] = segmented(clause.text)
    return f"plainto_tsquery(config::regconfig, :{name})"


def expressions(search: syntax.SearchQuery) -> tuple[str, str, dict[str, str]]:
    """The SQL expressions of the groups' and the exclusions' tsqueries for a row's ``config``."""
    params: dict[str, str] = {}
    groups = [
        "(" + " || ".join(_clause(clause, f"g{g}c{c}", params) for c, clause in enumerate(group)) + ")"
        for g, group in enumerate(search.groups)
    ]
    exclusions = [_clause(clause, f"x{x}", params) for x, clause in enumerate(search.exclusions)]
    empty = "''::tsquery"
    return " && ".join(groups) or empty, " || ".join(exclusions) or empty, params


def compile_query(connection: Connection, search: syntax.SearchQuery) -> TextQuery | None:
    """``search``'s tsqueries in each configuration in use; None when it has no clause at all."""
    if not search.groups and not search.exclusions:
        return None
    positive, excluded, params = expressions(search)
    # The expressions are built from constants; the words are parameters.
    select_each = f"SELECT config, ({positive})::text, ({excluded})::text FROM used WHERE config IS NOT NULL"  # noqa: S608
    statement = text(_CONFIGS + select_each)
    rows = connection.execute(statement, params).all()
    return TextQuery(
        positive={config: query for config, query, _ in rows} if search.groups else {},
        excluded={config: query for config, _, query in rows},
        cjk_words=frozenset(words_of(" ".join(clause.text for group in search.groups for clause in group
                                              if clause.kind != syntax.PREFIX_OF))),
    )
