"""Importing partner organisations: one row → one organisation (by name, case-insensitive) and its
partnerships with programmes (``slug:YYYY-MM-DD`` by ``;``, the date it joined).

A re-import updates the organisation's type, country, website and focal points, adds the partnerships it
names and moves their dates; it never ends a partnership that the file leaves out (that is an admin's
decision, audited on its own).
"""

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal import vocab
from portal.catalogue import RuleViolation, accounts, audit
from portal.catalogue.importing.items import MAX_ORGANISATION_NAME
from portal.catalogue.importing.reading import Row, split
from portal.catalogue.importing.report import ImportReport, RowError, RowFailed
from portal.catalogue.item_fields import MAX_URL, is_web_address
from portal.catalogue.organisations import checked_contacts, split_addresses
from portal.extensions import db
from portal.models import Organisation, Partnership, Programme, User

COLUMNS = ("name", "type", "country", "website", "programmes", "focal_point", "alternates")
REQUIRED_COLUMNS = ("name",)
FIELDS = ("type", "country", "website", "focal_point_email", "alternate_emails")


def parse(row: Row, first_rows: dict[str, int], unit: str = "line") -> dict:
    """The row's values, or ``RowFailed`` with every rule it breaks."""
    errors: list[RowError] = []

    def cell(column: str) -> str:
        return (row.values.get(column) or "").strip()

    def fail(column: str, message: str) -> None:
        errors.append(RowError(row.number, column, message))

    if row.extra_cells:
        fail("", _("The row has %(count)d more cells than the header has columns.", count=row.extra_cells))
    name = " ".join(cell("name").split())
    if not name:
        fail("name", _("Name the organisation."))
    elif len(name) > MAX_ORGANISATION_NAME:
        fail("name", _("At most %(count)d characters.", count=MAX_ORGANISATION_NAME))
    elif first_rows.get(name.lower(), row.number) != row.number:
        fail("name", _("The same organisation is already on %(unit)s %(number)d.", unit=unit,
                       number=first_rows[name.lower()]))
    type_ = cell("type").lower() or "other"
    if type_ not in dict(vocab.ORGANISATION_TYPES):
        fail("type", _("Give the type: %(types)s.", types=", ".join(value for value, _l in vocab.ORGANISATION_TYPES)))
    country = cell("country").upper() or None
    if country and country not in vocab.country_codes():
        fail("country", _("“%(code)s” is not an ISO 3166 alpha-2 country code.", code=country))
    website = cell("website")
    if website and (not is_web_address(website) or len(website) > MAX_URL):
        fail("website", _("The website must be a web address starting with http:// or https://."))
    partnerships: dict[str, date] = {}
    known = set(db.session.scalars(select(Programme.slug)))
    for part in split(cell("programmes")):
        slug, _colon, joined = (piece.strip() for piece in part.partition(":"))
        try:
            joined_on = date.fromisoformat(joined)
        except ValueError:
            fail("programmes", _("“%(value)s”: give programme:YYYY-MM-DD, the date it joined.", value=part))
            continue
        if slug.lower() not in known:
            fail("programmes", _("Unknown programme “%(slug)s”; the programmes are %(known)s.", slug=slug,
                                 known=", ".join(sorted(known))))
        elif joined_on > date.today():
            fail("programmes", _("%(value)s is in the future.", value=part))
        else:
            partnerships[slug.lower()] = joined_on
    focal_points = split_addresses(cell("focal_point"))
    focal_point, alternates = None, []
    if len(focal_points) > 1:
        fail("focal_point", _("Give one focal point; the others are alternates."))
    else:
        try:
            focal_point, alternates = checked_contacts("".join(focal_points), split_addresses(cell("alternates")))
        except RuleViolation as error:
            fail(error.field, error.message)
    if errors:
        raise RowFailed(errors)
    return {
        "row": row.number,
        "name": name,
        "type": type_,
        "country": country,
        "website": website or None,
        "focal_point_email": focal_point,
        "alternate_emails": alternates,
        "partnerships": partnerships,
    }


class OrganisationImporter:
    def __init__(self, actor: User | None, filename: str, report: ImportReport, *, first_rows: dict[str, int],
                 create_organisations: bool = True, origin: str = "command line"):
        self.actor, self.filename, self.report, self.origin = actor, filename, report, origin
        self.first_rows = first_rows
        self._programmes = {programme.slug: programme for programme in db.session.scalars(select(Programme))}

    def parse(self, row: Row) -> dict:
        return parse(row, self.first_rows, self.report.unit_word)

    def start_chunk(self, rows: list[Row]) -> None:
        pass

    def end_chunk(self) -> None:
        db.session.flush()

    def forget(self) -> None:
        pass

    def write(self, record: dict) -> str:
        organisation = db.session.scalar(
            select(Organisation).where(func.lower(Organisation.name) == record["name"].lower())
        )
        created = organisation is None
        if created:
            organisation = accounts.get_or_create_organisation(
                record["name"], type=record["type"], country=record["country"], website=record["website"],
                actor=self.actor,
            )
        changed = [name for name in FIELDS if getattr(organisation, name) != record[name]]
        for name in changed:
            setattr(organisation, name, record[name])
        for slug, joined_on in record["partnerships"].items():
            programme = self._programmes[slug]
            partnership = next((p for p in organisation.partnerships if p.programme_id == programme.id), None)
            if partnership is None:
                organisation.partnerships.append(Partnership(programme=programme, joined_on=joined_on))
                db.session.flush()
                audit.record("organisation.partnership_added", self.actor, organisation=organisation,
                             programme=programme, joined_on=joined_on.isoformat())
                changed.append(f"programmes:{slug}")
            elif partnership.joined_on != joined_on:
                partnership.joined_on = joined_on
                changed.append(f"programmes:{slug}")
        if created:
            return "created"
        if not changed:
            return "unchanged"
        audit.record("organisation.imported", self.actor, organisation=organisation, file=self.filename,
                     origin=self.origin, fields=changed)
        db.session.flush()
        return "updated"

    def finish(self) -> None:
        audit.record("import.organisations", self.actor, file=self.filename, origin=self.origin,
                     **self.report.counts())
