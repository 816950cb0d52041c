"""What a search takes and gives, whatever the engine behind it: the scope, the results, the failure."""

from dataclasses import dataclass
from typing import Any

from portal.catalogue.filters import CatalogueFilters

# Similar items, on either backend: an item's key terms (at most SIMILAR_KEY_TERMS of its title and
# summary terms, none held by more than SIMILAR_COMMON_SHARE of the catalogue), and the public items
# sharing at least two of them, ranked as a search for any of them is.
SIMILAR_KEY_TERMS = 8
SIMILAR_COMMON_SHARE = 0.1


class SearchUnavailable(Exception):
    """The index is missing or cannot be read: search answers 503 until ``search reindex`` repairs it."""


@dataclass(frozen=True)
class SearchScope:
    """Which items a search may see. The default is the public: the visibility rule.

    Staff scopes (``public=False``) see every state of the items in ``programmes`` (None: all, for
    admins), narrowed by the filters' ``state`` and ``inactive``.
    """

    public: bool = True
    programmes: tuple[str, ...] | None = None


PUBLIC = SearchScope()


@dataclass
class Hit:
    """One result: the indexed card plus escaped, highlighted title and summary.

    ``key``, when the engine gives one, names the card as it is in this index generation: two hits
    with the same key have the same card (pages keep markup made from it, ``portal.views.fragments``).
    """

    card: dict[str, Any]
    title_html: Any
    summary_html: Any
    key: tuple | None = None

    def __getattr__(self, name: str):
        try:
            return self.card[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass
class SearchResult:
    filters: CatalogueFilters
    total: int
    hits: list[Hit]
    facets: dict[str, dict[Any, int]]
    suggestion: str | None = None

    @property
    def page(self) -> int:
        return self.filters.page

    @property
    def per_page(self) -> int:
        return self.filters.per_page

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))
