"""Words in scripts written without spaces (Chinese, Japanese, Korean), as both backends read them.

Chinese writes "可持续旅游" (sustainable tourism) as one run of characters. Read as one word, a search for
旅游 (tourism) would find nothing in it. Each run is therefore read as its overlapping pairs of characters
(可持 持续 续旅 旅游), as Lucene's CJK analyser does: a search for 旅游 finds it, and a search for 可持续旅游
finds texts holding every pair of it. The pairs follow one another, so "可持续旅游" in quotes still asks for
them in a row. A character standing alone (水, water) is a word of its own; a search for one character
finds it only where it stands alone, not inside a run (节水, saving water), as with Lucene's pairs.

``segmented`` rewrites a text that way before it is analysed, by Whoosh (``portal.search.analysis``) and
by PostgreSQL (``portal.search.postgresql.rows`` and ``tsquery``); ``marked_spans`` finds what to
highlight in the text as written, and ``with_marks`` marks them.
"""

import re
from collections.abc import Collection, Iterable

from markupsafe import Markup, escape

# Han (with its extensions and compatibility ideographs), Hiragana, Katakana, Hangul.
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f"
RUN = re.compile(f"[{CJK}]+")


def is_cjk(word: str) -> bool:
    """Whether ``word`` is one of the pieces ``segmented`` makes of a run (kept even when one letter)."""
    return RUN.fullmatch(word) is not None


def pairs(run: str) -> list[str]:
    """The words of a run: its overlapping pairs, or itself when it is one character."""
    return [run[i : i + 2] for i in range(len(run) - 1)] or [run]


def segmented(text: str) -> str:
    """``text`` with every run of CJK characters replaced by its pairs, set apart by spaces."""
    if not RUN.search(text):
        return text
    return RUN.sub(lambda match: " " + " ".join(pairs(match.group())) + " ", text)


def words_of(text: str) -> set[str]:
    """Every CJK word (pair or lone character) of ``text``: what a query asks to highlight."""
    return {word for run in RUN.findall(text) for word in pairs(run)}


def marked_spans(text: str, wanted: Collection[str]) -> list[tuple[int, int]]:
    """The (start, end) spans of ``text`` covered by its CJK words in ``wanted``, merged, in order."""
    spans: list[tuple[int, int]] = []
    if not wanted:
        return spans
    for run in RUN.finditer(text):
        for offset, word in enumerate(pairs(run.group())):
            if word in wanted:
                start = run.start() + offset
                end = start + len(word)
                if spans and spans[-1][1] >= start:
                    spans[-1] = (spans[-1][0], end)
                else:
                    spans.append((start, end))
    return spans


def with_marks(text: str, spans: Iterable[tuple[int, int]]) -> Markup:
    """``text`` escaped for HTML, each of ``spans`` (in order, apart) in ``<mark>``."""
    pieces: list[str] = []
    position = 0
    for start, end in spans:
        pieces += [escape(text[position:start]), Markup("<mark>%s</mark>") % text[start:end]]
        position = end
    pieces.append(escape(text[position:]))
    return Markup("").join(pieces)
