"""Importing initiatives and resources: one row → one item, through the rules of the submission forms.

A row's cells become an ``ItemData`` that ``item_fields.normalised`` and ``item_fields.check`` judge
exactly as they judge a form (plus ``submission.check_file``: a resource needs a link), so the
import accepts nothing that the form refuses. What only an import has is checked here: the
``source_id``, the workflow ``state``, the ``portfolio`` and the record's own ``created_at`` and
``updated_at``, kept as they are (a record last updated three years ago arrives inactive).

The audit log gets the record's history as the forms would have written it, dated from the file, so
reporting counts it in the right year: ``item.created`` at ``created_at``, ``item.submitted`` and (for a
published record) ``item.approved`` without an approver, ``item.edited`` at a later ``updated_at``;
and ``item.imported`` now, by whoever imported it.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import NoReturn

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from portal import vocab
from portal.catalogue import audit, workflow
from portal.catalogue.importing.reading import Row, split
from portal.catalogue.importing.report import ImportReport, RowError, RowFailed
from portal.catalogue.item_fields import ItemData, Reference, apply, check, normalised
from portal.catalogue.portfolio import checklist
from portal.catalogue.submission import check_file
from portal.extensions import db
from portal.models import Item, Organisation, PortfolioEntry, Programme, User, utcnow

COLUMNS = (
    "source_id", "kind", "title", "summary", "description", "organisation", "organisation_country", "programmes",
    "sdgs", "countries", "themes", "category", "resource_type", "status", "start_date", "end_date",
    "publication_year", "authors", "website", "link", "language", "state", "portfolio", "created_at", "updated_at",
)
REQUIRED_COLUMNS = ("source_id", "kind", "title", "summary", "organisation", "programmes")
STATES = ("published", "submitted", "draft")
MAX_SOURCE_ID = 200
MAX_ORGANISATION_NAME = 200
# ItemData's field → the column that holds it, where the names differ.
COLUMN_OF = {"website_url": "website", "link_url": "link", "activity_category": "category",
             "initiative_status": "status", "file": "link"}
# What no column holds: only the item's organisation sets it, on the form. A new item starts without it;
# a re-import keeps the item's own (the contact, the "Offer to other countries" tick, the results on the
# ground and the key figures), so importing the old system's records again never undoes a partner's work.
FORM_ONLY_FIELDS = ("contact", "is_offer", "results_on_ground", "key_figures")
FIRST_YEAR = 1900


@dataclass
class ItemRecord:
    """A row that passed every rule that does not need the database's current state of the item."""

    row: int
    source_id: str
    kind: str
    data: ItemData
    organisation: str
    organisation_country: str | None
    state: str
    portfolio: dict[str, str]
    created_at: datetime
    updated_at: datetime


def parse_moment(value: str) -> datetime:
    """An ISO 8601 date or date and time as naive UTC (what the database keeps); ValueError otherwise."""
    moment = datetime.fromisoformat(value.replace("z", "Z"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


@dataclass
class _Cells:
    """One row's cells, and the errors found while reading them."""

    row: Row
    errors: list[RowError] = field(default_factory=list)

    def __getitem__(self, column: str) -> str:
        return (self.row.values.get(column) or "").strip()

    def fail(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.row.number, column, message))

    def integers(self, column: str) -> list[int]:
        numbers = []
        for part in split(self[column]):
            if part.isdigit():
                numbers.append(int(part))
            else:
                self.fail(column, _("“%(value)s” is not a number.", value=part))
        return numbers

    def day(self, column: str) -> date | None:
        if not self[column]:
            return None
        try:
            return date.fromisoformat(self[column])
        except ValueError:
            self.fail(column, _("“%(value)s” is not a date as YYYY-MM-DD.", value=self[column]))
            return None

    def year(self, column: str) -> int | None:
        if not self[column]:
            return None
        if self[column].isdigit():
            return int(self[column])
        self.fail(column, _("“%(value)s” is not a year.", value=self[column]))
        return None

    def moment(self, column: str, now: datetime) -> datetime | None:
        if not self[column]:
            return None
        try:
            moment = parse_moment(self[column])
        except ValueError:
            self.fail(column, _("“%(value)s” is not an ISO 8601 date or time (e.g. 2024-03-31 or "
                                "2024-03-31T14:05:00Z).", value=self[column]))
            return None
        if moment > now:
            self.fail(column, _("%(value)s is in the future.", value=self[column]))
        elif moment.year < FIRST_YEAR:
            self.fail(column, _("%(value)s is before %(year)d.", value=self[column], year=FIRST_YEAR))
        return moment


def _data(cells: _Cells, kind: str) -> ItemData:
    initiative, resource = kind == "initiative", kind == "resource"
    return ItemData(
        title=cells["title"],
        summary=cells["summary"],
        description=cells.row.values.get("description") or "",
        programmes=[slug.lower() for slug in split(cells["programmes"])],
        sdgs=cells.integers("sdgs"),
        countries=split(cells["countries"]),
        themes=[theme.lower() for theme in split(cells["themes"])],
        website_url=cells["website"],
        language=cells["language"].lower() or "en",
        activity_category=cells["category"].lower() if initiative else "",
        initiative_status=cells["status"].lower() if initiative else "",
        start_date=cells.day("start_date") if initiative else None,
        end_date=cells.day("end_date") if initiative else None,
        resource_type=cells["resource_type"].lower() if resource else "",
        authors=cells["authors"] if resource else "",
        publication_year=cells.year("publication_year") if resource else None,
        link_url=cells["link"] if resource else "",
    )


def _portfolio(cells: _Cells, programmes: list[str], state: str) -> dict[str, str]:
    portfolio = {}
    for part in split(cells["portfolio"]):
        slug, _colon, status = (piece.strip().lower() for piece in part.partition(":"))
        if status not in dict(vocab.PORTFOLIO_STATUSES):
            cells.fail("portfolio", _("“%(value)s”: give programme:status, the status one of core, affiliated, none.",
                                      value=part))
        elif slug not in programmes:
            cells.fail("portfolio", _("“%(slug)s” is not one of the item's programmes.", slug=slug))
        else:
            portfolio[slug] = status
    if state != "published" and any(status != "none" for status in portfolio.values()):
        cells.fail("portfolio", _("Only a published item can be in a portfolio."))
    return portfolio


def parse(row: Row, first_rows: dict[str, int], now: datetime, reference: Reference, unit: str = "line") -> ItemRecord:
    """The row as an ``ItemRecord``, or ``RowFailed`` with every rule it breaks."""
    cells = _Cells(row)
    if row.extra_cells:
        cells.fail("", _("The row has %(count)d more cells than the header has columns.", count=row.extra_cells))
    source_id = " ".join(cells["source_id"].split())
    if not source_id:
        cells.fail("source_id", _("Give the record's id in the system it comes from."))
    elif len(source_id) > MAX_SOURCE_ID:
        cells.fail("source_id", _("At most %(count)d characters.", count=MAX_SOURCE_ID))
    elif first_rows.get(source_id, row.number) != row.number:
        cells.fail("source_id", _("The same source_id is already on %(unit)s %(number)d.", unit=unit,
                                  number=first_rows[source_id]))
    kind = cells["kind"].lower()
    if kind not in vocab.values(vocab.KINDS):
        cells.fail("kind", _("Give the kind: initiative or resource."))
    state = cells["state"].lower() or "published"
    if state not in STATES:
        cells.fail("state", _("Give the state: published, submitted or draft."))
    organisation = " ".join(cells["organisation"].split())
    if not organisation:
        cells.fail("organisation", _("Name the item's organisation."))
    elif len(organisation) > MAX_ORGANISATION_NAME:
        cells.fail("organisation", _("At most %(count)d characters.", count=MAX_ORGANISATION_NAME))
    country = cells["organisation_country"].upper() or None
    if country and country not in vocab.country_codes():
        cells.fail("organisation_country", _("“%(code)s” is not an ISO 3166 alpha-2 country code.", code=country))
    created_at, updated_at = cells.moment("created_at", now), cells.moment("updated_at", now)
    if created_at and updated_at and updated_at < created_at:
        cells.fail("updated_at", _("The record cannot be updated before it was created."))
    created_at = created_at or updated_at or now
    updated_at = updated_at or created_at

    data = normalised(_data(cells, kind if kind in vocab.values(vocab.KINDS) else "initiative"))
    if kind in vocab.values(vocab.KINDS):
        for name, messages in check(kind, data, reference).items():
            for message in messages:
                cells.fail(COLUMN_OF.get(name, name), message)
    portfolio = _portfolio(cells, data.programmes, state)
    if cells.errors:
        raise RowFailed(cells.errors)
    return ItemRecord(row.number, source_id, kind, data, organisation, country, state, portfolio,
                      created_at, updated_at)


def _comparable(item: Item) -> dict:
    """Everything an import sets on an item, to tell an update from an unchanged record."""
    return {
        **workflow.snapshot(item),
        "state": item.state,
        "organisation": item.organisation.name if item.organisation else None,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "portfolio": {entry.programme.slug: entry.status for entry in item.portfolio_entries},
    }


class ItemImporter:
    """Writes parsed rows; keeps per-import caches (organisations by name, items by source_id).

    ``write`` checks what needs the database before it changes anything, so a refused row leaves
    nothing behind; the new rows' audit events are added in one go when the chunk ends.
    """

    def __init__(self, actor: User | None, filename: str, report: ImportReport, *, first_rows: dict[str, int],
                 create_organisations: bool = True, origin: str = "command line"):
        self.actor, self.filename, self.report, self.origin = actor, filename, report, origin
        self.first_rows, self.create_organisations = first_rows, create_organisations
        self.now = utcnow()
        self.reference = Reference.load()
        self._organisations: dict[str, Organisation] = {}
        self._items: dict[str, Item] = {}
        self._created: list[tuple[Item, ItemRecord]] = []
        self._new_organisations: list[Organisation] = []
        self._events: list[dict] = []

    def parse(self, row: Row) -> ItemRecord:
        return parse(row, self.first_rows, self.now, self.reference, self.report.unit_word)

    def start_chunk(self, rows: list[Row]) -> None:
        """Load the chunk's existing items and organisations in two queries."""

        def cells(column: str) -> set[str]:
            return {" ".join((row.values.get(column) or "").split()) for row in rows} - {""}

        ids, names = cells("source_id"), cells("organisation") - set(self._organisations)
        self._items = {item.source_id: item for item in db.session.scalars(select(Item).where(Item.source_id.in_(ids)))}
        if names:  # by exact name too: SQLite's lower() leaves non-ASCII letters as they are
            lowered = {name.lower() for name in names}
            found = db.session.scalars(select(Organisation).where(
                or_(Organisation.name.in_(names), func.lower(Organisation.name).in_(lowered))))
            self._organisations.update((organisation.name.lower(), organisation) for organisation in found)

    def end_chunk(self) -> None:
        """Write the chunk's new organisations and items, then their history (which needs their ids)."""
        db.session.flush()
        for organisation in self._new_organisations:
            self._event("organisation.created", self.now, actor=self.actor, organisation_id=organisation.id,
                        file=self.filename)
        for item, record in self._created:
            self._record_history(item, record)
            self._imported(item, record)
        audit.record_many(self._events)
        self._new_organisations.clear()
        self._created.clear()
        self._events.clear()

    def forget(self) -> None:
        """Drop what a rolled-back dry run took away."""
        self._organisations.clear()
        self._items.clear()
        self._created.clear()
        self._new_organisations.clear()
        self._events.clear()

    def _refuse(self, record: ItemRecord, column: str, message: str) -> NoReturn:
        raise RowFailed([RowError(record.row, column, message)])

    def _organisation(self, record: ItemRecord) -> Organisation:
        key = record.organisation.lower()
        if key not in self._organisations:
            if not self.create_organisations:
                self._refuse(record, "organisation", _(
                    "No organisation is called “%(name)s”: import the organisations first "
                    "(flask import organisations), or allow new organisations.", name=record.organisation))
            organisation = Organisation(name=record.organisation, type="other", country=record.organisation_country)
            db.session.add(organisation)
            self._new_organisations.append(organisation)
            self.report.organisation_created(organisation.name)
            self._organisations[key] = organisation
        return self._organisations[key]

    def write(self, record: ItemRecord) -> str:
        """Create or update the record's item; returns "created", "updated" or "unchanged"."""
        item = self._items.get(record.source_id)
        if item is not None and item.kind != record.kind:
            self._refuse(record, "kind", _("This record was imported as a %(kind)s; its kind cannot change.",
                                           kind=item.kind))
        errors: dict[str, list[str]] = {}
        check_file(record.kind, record.data, None, keeps_file=bool(item and item.file_name), errors=errors)
        for name, messages in errors.items():
            self._refuse(record, COLUMN_OF.get(name, name), messages[0])
        organisation = self._organisation(record)  # the last check: it creates an organisation when it may
        if item is None:
            item = Item(kind=record.kind, source_id=record.source_id, organisation=organisation)
            self._set(item, record)
            db.session.add(item)
            self._items[record.source_id] = item
            self._created.append((item, record))
            return "created"
        before = _comparable(item)
        item.organisation = organisation
        self._set(item, record, keep=FORM_ONLY_FIELDS)
        after = _comparable(item)
        changed = [name for name in after if before.get(name) != after[name]]
        if not changed:
            return "unchanged"
        if record.updated_at > before["updated_at"] and record.state != "draft":
            self._event("item.edited", record.updated_at, item=item, imported=True, fields=changed)
        self._imported(item, record, fields=changed)
        return "updated"

    def _set(self, item: Item, record: ItemRecord, keep: tuple[str, ...] = ()) -> None:
        """Write the record onto ``item``; the fields named in ``keep`` stay as they are."""
        kept = {name: getattr(item, name) for name in keep}
        apply(item, record.kind, record.data, self.reference)
        for name, value in kept.items():
            setattr(item, name, value)
        item.state = record.state
        item.created_at, item.updated_at = record.created_at, record.updated_at
        item.submitted_at = record.created_at if record.state != "draft" else None
        # Always assigned, so that every new item of a chunk has the same columns (one batched INSERT).
        item.published_at = (item.published_at or record.created_at) if record.state == "published" else \
            item.published_at
        for slug, status in record.portfolio.items():
            self._set_portfolio(item, self.reference.programmes[slug], status)

    def _set_portfolio(self, item: Item, programme: Programme, status: str) -> None:
        entry = next((entry for entry in item.portfolio_entries if entry.programme_id == programme.id), None)
        if entry is None:
            entry = PortfolioEntry(programme=programme, programme_id=programme.id)
            item.portfolio_entries.append(entry)
        elif entry.status == status:
            return
        # An affiliated record passed the old system's due diligence: the checklist counts as done.
        checks = [key for key, _label in checklist()] if status == "affiliated" else []
        entry.status, entry.checks, entry.notes = status, checks, f"Imported from {self.filename}"
        entry.decided_by_id = self.actor.id if self.actor is not None else None
        entry.decided_at = self.now

    def _event(self, action: str, at: datetime, *, actor: User | None = None, item: Item | None = None,
               organisation_id: int | None = None, **details) -> None:
        """An audit event dated ``at``, written with the chunk's others in one INSERT."""
        self._events.append({"action": action, "created_at": at, "actor": actor, "details": details,
                             "item_id": item.id if item is not None else None,
                             "organisation_id": organisation_id if item is None else item.organisation_id})

    def _imported(self, item: Item, record: ItemRecord, **details) -> None:
        self._event("item.imported", self.now, actor=self.actor, item=item, source_id=record.source_id,
                    file=self.filename, origin=self.origin, **details)

    def _record_history(self, item: Item, record: ItemRecord) -> None:
        """The record's past in the old system, as the forms would have logged it."""
        self._event("item.created", record.created_at, item=item, imported=True)
        if record.state != "draft":
            self._event("item.submitted", record.created_at, item=item, imported=True)
        if record.state == "published":
            self._event("item.approved", record.created_at, item=item, imported=True)
        if record.updated_at > record.created_at and record.state != "draft":
            self._event("item.edited", record.updated_at, item=item, imported=True)

    def finish(self) -> None:
        """The import as a whole, in the audit log: who, which file, what came of it."""
        audit.record("import.items", self.actor, file=self.filename, origin=self.origin, **self.report.counts(),
                     organisations_created=len(self.report.organisations_created))
