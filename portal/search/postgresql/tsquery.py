"""The search box's query (``portal.search.syntax``) as PostgreSQL tsqueries: one per text search
configuration in use, since each item's words were analysed in its own language.

Each clause is analysed by PostgreSQL itself: words with ``plainto_tsquery`` (all required), phrases
with ``phraseto_tsquery`` (``<->``, stop words kept as gaps), prefixes with ``:*`` on the stemmed and
on the plain word (as Whoosh does); a group ORs its clauses (``||``), groups are ANDed (``&&``) and
exclusions negated (``!!``). A clause whose words are all stop words in a language drops out for
that language, as in Whoosh, and PostgreSQL's operators drop empty operands the same way; when the
whole query drops out for a language, every item in that language matches.
"""

from dataclasses import dataclass

from sqlalchemy import Connection, text

from portal.search import syntax
from portal.search.postgresql.schema import MARKER, SIMPLE

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
    """A search's words for PostgreSQL: for each configuration in use, its tsquery ('': it dropped out)."""

    by_config: dict[str, str]
    ranked: bool  # there are words to rank by (not only exclusions)

    @property
    def matches_everything(self) -> bool:
        """The query dropped out in every configuration (stop words only): every item matches."""
        return bool(self.by_config) and not any(self.by_config.values())

    @property
    def combined(self) -> str:
        """One tsquery that applies to each row its own configuration's query, through the marker
        lexeme every document holds (``schema.MARKER``): the document index answers it exactly."""
        branches = []
        for config, query in sorted(self.by_config.items()):
            marker = literal(MARKER + config)
            branches.append(f"( {marker} & ( {query} ) )" if query else marker)
        return " | ".join(branches)


def literal(lexeme: str) -> str:
    """A lexeme as a tsquery literal, quoted."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _clause(clause: syntax.Clause, name: str, params: dict[str, str]) -> str:
    if clause.kind == syntax.PHRASE:
        params[name] = clause.text
        return f"phraseto_tsquery(config::regconfig, :{name})"
    if clause.kind == syntax.PREFIX_OF:  # letters and digits only (syntax.PREFIX): safe in to_tsquery
        params[name] = f"{clause.text}:*"
        return f"(to_tsquery(config::regconfig, :{name}) || to_tsquery('{SIMPLE}', :{name}))"
    params[name] = clause.text
    return f"plainto_tsquery(config::regconfig, :{name})"


def expression(search: syntax.SearchQuery) -> tuple[str, dict[str, str]]:
    """The SQL expression of ``search``'s tsquery for a row's ``config``, and its parameters."""
    params: dict[str, str] = {}
    groups = [
        "(" + " || ".join(_clause(clause, f"g{g}c{c}", params) for c, clause in enumerate(group)) + ")"
        for g, group in enumerate(search.groups)
    ]
    exclusions = [_clause(clause, f"x{x}", params) for x, clause in enumerate(search.exclusions)]
    parts = list(groups)
    if exclusions:
        parts.append("!!(" + " || ".join(exclusions) + ")")
    return " && ".join(parts), params


def compile_query(connection: Connection, search: syntax.SearchQuery) -> TextQuery | None:
    """``search``'s tsquery in each configuration in use; None when it has no clause at all."""
    if not search.groups and not search.exclusions:
        return None
    sql, params = expression(search)
    statement = text(f"{_CONFIGS} SELECT config, ({sql})::text FROM used WHERE config IS NOT NULL")  # noqa: S608
    by_config = dict(connection.execute(statement, params).all())
    return TextQuery(by_config, ranked=bool(search.groups) and bool(by_config))
