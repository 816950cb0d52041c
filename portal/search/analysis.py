"""How words become index terms, per language: the one analysis that indexing, queries, highlighting
and similar items share.

A text is folded (accents and other combining marks dropped: "déchets" and "dechets" read alike),
lower-cased, cut into words (letters and digits; "e.g" and "3.5" stay whole; a run of Chinese, Japanese
or Korean characters into its pairs of characters, ``portal.search.segmenting``), stripped of the
short English stop-word list, then stemmed by its language: Porter for English (as before),
Whoosh's Snowball stemmers for the other languages it has one for, ISRI for Arabic; any other
language is folded and not stemmed.

Folding comes *before* stemming, as in the PostgreSQL backend's configurations (unaccent, then the
stemmer): the stemmer then sees the same letters whether or not the writer typed the accents, so
"securite" finds "sécurité" and "informacion" finds "información" (folding the stems instead leaves
"secur" against "securit", "inform" against "informacion"). The Russian "й" is a letter of its own
and is kept (folded, "новый" would no longer lose its ending "ый").

The stop words are one list for every language, so a clause is left without words (and drops out)
in the same cases whatever the language; words such as "des" or "la" are kept and weigh little.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import cache, lru_cache

from whoosh.analysis import STOP_WORDS
from whoosh.lang import stemmer_for_language
from whoosh.lang.porter import stem as porter_stem

from portal.search.segmenting import is_cjk, segmented

# Words are letters and digits (dots inside a word keep it whole); shorter than two letters: dropped.
WORD = re.compile(r"\w+(?:\.?\w+)*")
MIN_LENGTH = 2
KNOWN_WORDS = 200_000  # words whose terms are remembered per analysis (then forgotten all at once)
PLAIN = ""  # the analysis of languages without a stemmer: folded, not stemmed
# ISO 639-1 → the stemmer's language: every one Whoosh has a stemmer for (Norwegian under its codes).
STEMMED = {code: code for code in ("ar", "da", "de", "en", "es", "fi", "fr", "hu", "it", "nl", "no", "pt",
                                   "ro", "ru", "sv")} | {"nb": "no", "nn": "no"}
# Letters whose marks make another letter rather than an accent; kept as they are.
KEEP = frozenset("й")
# Letters that Unicode does not decompose but that read as plain letters (as PostgreSQL's unaccent does).
EXTRA = {"ø": "o", "œ": "oe", "æ": "ae", "ß": "ss", "ł": "l", "đ": "d", "ı": "i"}


class _Folding(dict):
    """A ``str.translate`` table computed one character at a time, the first time it is met."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char in KEEP or is_cjk(char):  # Hangul would decompose into its letters (jamo)
            folded = char
        elif char in EXTRA:
            folded = EXTRA[char]
        else:
            folded = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        self[code] = folded
        return folded


_FOLDING = _Folding()


def fold(text: str) -> str:
    """``text`` lower-cased, without accents and other combining marks."""
    return text.lower().translate(_FOLDING)


def analyser(language: str | None) -> str:
    """The analysis an item in ``language`` (ISO 639-1, maybe with a region: "pt-BR") is indexed with."""
    return STEMMED.get((language or "").lower().split("-")[0].split("_")[0], PLAIN)


@cache
def _stemmer(name: str) -> Callable[[str], str]:
    if name == PLAIN:
        return lambda word: word
    base = porter_stem if name == "en" else stemmer_for_language(name)
    return lru_cache(maxsize=50000)(base)


def words(text: str) -> list[str]:
    """The folded words of ``text`` that are searched (stop words and one-letter words left out)."""
    return [word for word in WORD.findall(fold(segmented(text))) if _searched(word)]


def _searched(word: str) -> bool:
    return (len(word) >= MIN_LENGTH or is_cjk(word)) and word not in STOP_WORDS


@cache
def _terms_of(name: str) -> dict[str, str]:
    """Folded word → its index term under the analysis ``name`` ("" for a word left out), filled as
    words come: a rebuild meets the same words again and again."""
    return {}


def analyse(text: str, name: str) -> list[str]:
    """The index terms of ``text`` under the analysis ``name`` (see ``analyser``), in order."""
    known = _terms_of(name)
    terms = []
    for word in WORD.findall(fold(segmented(text))):
        found = known.get(word)
        if found is None:
            if len(known) >= KNOWN_WORDS:
                known.clear()
            found = known[word] = _stemmer(name)(word) if _searched(word) else ""
        if found:
            terms.append(found)
    return terms


def term(word: str, name: str) -> str:
    """One folded word's index term under the analysis ``name``."""
    return _stemmer(name)(word)


def analysers(languages: Iterable[str | None]) -> tuple[str, ...]:
    """The distinct analyses of ``languages``, in a stable order."""
    return tuple(sorted({analyser(language) for language in languages}))
