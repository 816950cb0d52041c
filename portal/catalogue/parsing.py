"""Values typed by people or sent in requests: whole numbers, and text without control characters.

``str.isdigit()`` is no test for request input: it accepts "²", which ``int()`` refuses (a 500),
while ``int()`` accepts "٣" and numbers of thousands of digits that overflow the database. Every number
a request carries (pages, ids, SDGs, years) is read by ``positive_int`` or ``required_positive_int``:
ASCII digits only, within bounds, or nothing.

Control characters (all but tab and line ends) mean nothing in text a person typed, and PostgreSQL
refuses NUL in a string: ``without_control_characters`` removes them (request parameters, item fields).
"""

import re

from flask_babel import gettext as _

from portal.catalogue import RuleViolation

CONTROL_CHARACTERS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"  # for a regular expression's character class
_CONTROL = re.compile(f"[{CONTROL_CHARACTERS}]")

# Ids are INTEGER columns: 32 bits on PostgreSQL. A larger id names nothing (404), never an overflow.
MAX_ID = 2**31 - 1


def positive_int(value: object, maximum: int = MAX_ID) -> int | None:
    """``value`` as a whole number from 1 to ``maximum`` (ASCII digits, spaces around allowed), else None."""
    text = "" if value is None else str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(maximum)):
        return None
    number = int(text)
    return number if 1 <= number <= maximum else None


def required_positive_int(value: object, name: str, maximum: int, default: int | None = None) -> int:
    """``value`` as a whole number from 1 to ``maximum``; ``default`` when empty; else a RuleViolation for ``name``."""
    if default is not None and (value is None or not str(value).strip()):
        return default
    number = positive_int(value, maximum)
    if number is None:
        raise RuleViolation(_("'%(name)s' must be a whole number from 1 to %(maximum)s.", name=name, maximum=maximum),
                            field=name)
    return number


def without_control_characters(text: str) -> str:
    return _CONTROL.sub("", text)


def database_id(value: object) -> int:
    """An id for ``MultiDict.getlist(name, type=database_id)``: ValueError (the value is skipped) when not one."""
    number = positive_int(value)
    if number is None:
        raise ValueError(f"not an id: {str(value)[:20]!r}")
    return number
