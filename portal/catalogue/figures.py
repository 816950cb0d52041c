"""Key figures: a number, its unit and what it measures ("1,200" "tonnes" "of food waste avoided").

Initiatives record up to 3 (``Item.key_figures``); each programme highlight carries one. Forms post
the three parts as text (``FigureText``); ``read_figure`` turns them into a ``KeyFigure`` or into
messages by form field, so every form shows the same rules the same way.
"""

import math
import re
from dataclasses import dataclass
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _

MAX_FIGURES = 3
MAX_UNIT = 40
MAX_MEASURE = 120
LARGEST = 1e12
# 1200, 1 200, 1,200, 3.5, -30, 12.5: a dot is the decimal mark; commas and spaces may group thousands.
_NUMBER = re.compile(r"^[-+]?(\d{1,3}([ ,\u00a0\u202f]\d{3})+|\d+)(\.\d+)?$")


@dataclass(frozen=True)
class KeyFigure:
    value: float
    unit: str
    measure: str

    @property
    def number(self) -> str:
        """The value as the reader's language writes numbers (1,200 or 1 200; 3.5 or 3,5)."""
        return format_decimal(self.value, format="#,##0.##")

    def as_json(self) -> dict[str, Any]:
        return {"value": self.value, "unit": self.unit, "measure": self.measure}

    @classmethod
    def from_json(cls, data: Any) -> "KeyFigure | None":
        try:
            return cls(float(data["value"]), str(data["unit"]), str(data["measure"]))
        except (KeyError, TypeError, ValueError):
            return None

    def __str__(self) -> str:
        """The same in every language (history and snapshots): "1200 tonnes of food waste avoided"."""
        return f"{FigureText.of(self).value} {self.unit} {self.measure}"


@dataclass(frozen=True)
class FigureText:
    """A key figure as typed in a form."""

    value: str = ""
    unit: str = ""
    measure: str = ""

    def stripped(self) -> "FigureText":
        return FigureText(*(" ".join((part or "").split()) for part in (self.value, self.unit, self.measure)))

    @property
    def blank(self) -> bool:
        return not (self.value or self.unit or self.measure)

    @classmethod
    def of(cls, figure: KeyFigure) -> "FigureText":
        """What a form shows for ``figure``: the plain number, without grouping (1200, 3.5)."""
        value = int(figure.value) if figure.value.is_integer() else figure.value
        return cls(str(value), figure.unit, figure.measure)


def parse_number(text: str) -> float | None:
    text = (text or "").strip()
    if not _NUMBER.match(text):
        return None
    value = float(re.sub(r"[ ,\u00a0\u202f]", "", text))
    return value if math.isfinite(value) and abs(value) < LARGEST else None


def read_figure(text: FigureText, prefix: str) -> tuple[KeyFigure | None, dict[str, list[str]]]:
    """The figure typed in the fields ``<prefix>_value``, ``<prefix>_unit`` and ``<prefix>_measure``,
    or the messages for those fields. All three parts are needed."""
    text = text.stripped()
    errors: dict[str, list[str]] = {}
    value = parse_number(text.value)
    if not text.value:
        errors[f"{prefix}_value"] = [_("Give the key figure's value, a number such as 1200 or 3.5.")]
    elif value is None:
        errors[f"{prefix}_value"] = [_("The value must be a number such as 1200 or 3.5, without its unit.")]
    if not text.unit:
        errors[f"{prefix}_unit"] = [_("Give the unit, for example tonnes, people or %.")]
    elif len(text.unit) > MAX_UNIT:
        errors[f"{prefix}_unit"] = [_("Keep the unit under %(n)d characters.", n=MAX_UNIT)]
    if not text.measure:
        errors[f"{prefix}_measure"] = [_("Say what it measures, for example “of food waste avoided”.")]
    elif len(text.measure) > MAX_MEASURE:
        errors[f"{prefix}_measure"] = [_("Keep what it measures under %(n)d characters.", n=MAX_MEASURE)]
    if errors:
        return None, errors
    return KeyFigure(value, text.unit, text.measure), {}


def read_figures(rows: list[FigureText]) -> tuple[list[KeyFigure], dict[str, list[str]]]:
    """An initiative's key figures from the form's rows ``figure1``..``figure3`` (blank rows skipped)."""
    figures: list[KeyFigure] = []
    errors: dict[str, list[str]] = {}
    filled = [(number, row) for number, row in enumerate(rows, start=1) if not row.stripped().blank]
    if len(filled) > MAX_FIGURES:
        errors["figure1_value"] = [_("Give at most %(n)d key figures.", n=MAX_FIGURES)]
    for number, row in filled[:MAX_FIGURES]:
        figure, problems = read_figure(row, f"figure{number}")
        errors.update(problems)
        if figure is not None:
            figures.append(figure)
    return figures, errors


def figures_of(stored: list[dict[str, Any]] | None) -> list[KeyFigure]:
    """The key figures kept in an item's ``key_figures`` column."""
    return [figure for figure in map(KeyFigure.from_json, stored or []) if figure is not None]
