"""The shipped catalogues are complete: every string of the code is in messages.pot, and every language
translates all of them, with the same placeholders, no fuzzy guess and its own number of plural forms.

These tests fail while a catalogue still has untranslated strings: that is their purpose
(docs/translating.md says how to fill them).
"""

import re
import shlex
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "portal" / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
PLURAL_FORMS = {"fr": 2, "es": 2, "ar": 6, "zh": 1, "ru": 3}
# %(name)s, %(num)d... and {name}; "%%" is a literal percent sign.
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|\{(\w+)\}")


def read(path: Path):
    with path.open("rb") as file:
        return read_po(file)


def catalogue(language: str):
    return read(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po")


def keyword_options() -> list[str]:
    """The extraction options of ``make translations``, read from the Makefile (one definition)."""
    makefile = (ROOT / "Makefile").read_text()
    line = next(line for line in makefile.splitlines() if line.startswith("EXTRACT_OPTIONS :="))
    return shlex.split(line.split(":=", 1)[1])


def messages(found) -> dict:
    """(context, msgid) → message, without the header."""
    return {(message.context, message.id if isinstance(message.id, str) else message.id[0]): message
            for message in found if message.id}


def placeholders(text: str) -> set[str]:
    return {named or braced for named, braced in PLACEHOLDER.findall(text.replace("%%", ""))}


def test_the_template_holds_every_string_of_the_code(tmp_path):
    extracted = tmp_path / "messages.pot"
    CommandLineInterface().run([
        "pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), *keyword_options(), "-c", "Translators:",
        "-o", str(extracted), str(ROOT),
    ])
    current, committed = set(messages(read(extracted))), set(messages(read(TEMPLATE)))
    assert sorted(current - committed, key=str) == [], "`make translations`: new strings are not in messages.pot"
    assert sorted(committed - current, key=str) == [], "`make translations`: messages.pot has strings the code dropped"


@pytest.mark.parametrize("language", sorted(PLURAL_FORMS))
def test_the_catalogue_has_every_string_of_the_template(language):
    missing = set(messages(read(TEMPLATE))) - set(messages(catalogue(language)))
    assert sorted(missing, key=str) == [], f"run `make translations`: {language} lacks these strings"


@pytest.mark.parametrize("language", sorted(PLURAL_FORMS))
def test_the_catalogue_has_its_plural_forms(language):
    assert catalogue(language).num_plurals == PLURAL_FORMS[language]


@pytest.mark.parametrize("language", sorted(PLURAL_FORMS))
def test_every_string_is_translated(language):
    untranslated = [key for key, message in messages(catalogue(language)).items()
                    if not all(form.strip() for form in (message.string if isinstance(message.string, tuple)
                                                         else (message.string,)))]
    assert untranslated == [], f"{language}: {len(untranslated)} strings have no translation"


@pytest.mark.parametrize("language", sorted(PLURAL_FORMS))
def test_no_translation_is_a_fuzzy_guess(language):
    fuzzy = [key for key, message in messages(catalogue(language)).items() if message.fuzzy]
    assert fuzzy == [], f"{language}: check these translations and remove their “fuzzy” flag"


@pytest.mark.parametrize("language", sorted(PLURAL_FORMS))
def test_translations_keep_the_placeholders(language):
    wrong = []
    for key, message in messages(catalogue(language)).items():
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set().union(*(placeholders(text) for text in ids))
        for string in strings:
            # A form of a plural may leave out the number (Arabic says "one item" with no digit).
            found = placeholders(string)
            extra, lacking = found - expected, expected - found
            if string and (extra or (lacking and not (len(ids) > 1 and lacking <= {"num", "count"}))):
                wrong.append((key, string, sorted(extra), sorted(lacking)))
    assert wrong == [], f"{language}: translations whose placeholders differ from the English (extra, missing)"


def test_placeholders_are_read_as_translators_write_them():
    assert placeholders("%(count)s items of %(name)s, {title}, 50 %%") == {"count", "name", "title"}
    assert placeholders("%(num)d row") == {"num"}
