"""What an import did, or would do: counts per outcome and the rows that failed, with why."""

from dataclasses import asdict, dataclass, field
from typing import Any

from flask_babel import gettext, ngettext

OUTCOMES = ("created", "updated", "unchanged", "failed")
# Errors kept for the report (the CLI prints every one as it goes; the counts are always complete).
KEPT_ERRORS = 500


@dataclass
class RowError:
    row: int  # the CSV line (the header is line 1) or the JSON record
    column: str
    message: str


@dataclass
class ImportReport:
    unit: str = "line"
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: list[RowError] = field(default_factory=list)
    organisations_created: list[str] = field(default_factory=list)
    keep: int = KEPT_ERRORS  # how many errors to keep

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def fail(self, errors: list[RowError]) -> None:
        self.failed += 1
        self.errors.extend(errors[: max(0, self.keep - len(self.errors))])

    def organisation_created(self, name: str) -> None:
        if name not in self.organisations_created:
            self.organisations_created.append(name)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.failed

    def counts(self) -> dict[str, int]:
        return {outcome: getattr(self, outcome) for outcome in OUTCOMES}

    def summary(self) -> str:
        text = gettext("%(created)s created, %(updated)s updated, %(unchanged)s unchanged, %(failed)s failed",
                       **self.counts())
        if organisations := len(self.organisations_created):
            text = ngettext("%(counts)s; %(num)s new organisation", "%(counts)s; %(num)s new organisations",
                            organisations, counts=text)
        return text

    @property
    def unit_word(self) -> str:
        """"line" (of a CSV) or "record" (of a JSON list), in the interface language."""
        return gettext("line") if self.unit == "line" else gettext("record")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ImportReport":
        data = dict(data or {})
        errors = [RowError(**error) for error in data.pop("errors", [])]
        return cls(**data, errors=errors)


class RowFailed(Exception):
    """The row breaks rules; nothing of it is written."""

    def __init__(self, errors: list[RowError]):
        super().__init__(errors[0].message)
        self.errors = errors
