"""Country needs: a country's needs and priorities, recorded by desks, matched with the programmes' offers.

Desks record needs for their programmes (admins for any); everyone reads them at ``/needs``. Closed
needs leave the public list (``/needs?closed=1`` shows them too, marked closed) but keep their page.
A partner may "Express interest" in an open need: one message per organisation and need, mailed to the
desks of the need's programmes and kept on the need's page for them.

Saving an open need mails the organisations behind its best matches (``matching.tell_organisations``).

Audit actions: ``need.created``, ``need.edited`` (``fields``), ``need.closed``, ``need.reopened``,
``need.interest_expressed``; each names the need in ``details["need_id"]``.
"""

from dataclasses import dataclass, field, replace

from flask_babel import gettext as _
from sqlalchemy import Select, select
from werkzeug.datastructures import MultiDict

from portal import vocab
from portal.catalogue import NotFound, PermissionDenied, RulesViolated, RuleViolation, audit, matching, notifications
from portal.catalogue.filters import PARSERS, parse_filters
from portal.catalogue.item_fields import clean_markdown, clean_text, unique
from portal.catalogue.permissions import can_edit_need, can_express_interest, is_admin, sits_on_a_desk
from portal.extensions import db
from portal.models import CountryNeed, NeedInterest, NeedTheme, Programme, Sdg, User, need_programmes, utcnow

MAX_TITLE = 200
MAX_DESCRIPTION = 20_000
MAX_CONTACT = 300
MAX_INTEREST = 3000
PER_PAGE = 20
FACETS = ("country", "sdg", "theme", "programme")


@dataclass
class NeedData:
    """What a desk states about a need; ``country`` is alpha-2 or ``global``, ``programmes`` slugs."""

    country: str = ""
    title: str = ""
    description: str = ""
    sdgs: list[int] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    programmes: list[str] = field(default_factory=list)
    category: str = ""
    contact: str = ""
    is_open: bool = True

    @classmethod
    def from_need(cls, need: CountryNeed) -> "NeedData":
        return cls(
            country=need.country,
            title=need.title,
            description=need.description,
            sdgs=[number for number in need.sdg_numbers if number != vocab.HOME_SDG],
            themes=sorted(need.themes),
            programmes=[programme.slug for programme in need.programmes],
            category=need.category or "",
            contact=need.contact,
            is_open=need.is_open,
        )


def _normalised(data: NeedData) -> NeedData:
    """Text trimmed as for items, lists without repeats, SDG 12 left implicit, the country code upper-case."""
    country = clean_text(data.country)
    return replace(
        data,
        country=vocab.GLOBAL if country.lower() == vocab.GLOBAL else country.upper(),
        title=clean_text(data.title),
        description=clean_markdown(data.description),
        sdgs=unique(number for number in data.sdgs if number != vocab.HOME_SDG),
        themes=unique(filter(None, map(clean_text, data.themes))),
        programmes=unique(filter(None, map(clean_text, data.programmes))),
        category=clean_text(data.category),
        contact=clean_text(data.contact),
    )


def check(data: NeedData, actor: User) -> dict[str, list[str]]:
    """Every rule the (normalised) ``data`` breaks, by field."""
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if data.country != vocab.GLOBAL and data.country not in vocab.country_codes():
        fail("country", _("Choose a country from the list (ISO 3166), or “Global”."))
    if not data.title:
        fail("title", _("Give the need a title."))
    elif len(data.title) > MAX_TITLE:
        fail("title", _("The title may be at most %(n)d characters long.", n=MAX_TITLE))
    if len(data.description) > MAX_DESCRIPTION:
        fail("description", _("The description may be at most %(n)d characters long.", n=MAX_DESCRIPTION))
    if any(number not in dict(vocab.SDGS) for number in data.sdgs):
        fail("sdgs", _("Choose SDGs from the list."))
    if any(theme not in dict(vocab.THEMES) for theme in data.themes):
        fail("themes", _("Choose themes from the list."))
    if data.category and data.category not in dict(vocab.ACTIVITY_CATEGORIES):
        fail("category", _("Choose a kind of work from the list."))
    if len(data.contact) > MAX_CONTACT:
        fail("contact", _("The contact may be at most %(n)d characters long.", n=MAX_CONTACT))
    programmes = {p.slug: p for p in db.session.scalars(select(Programme).where(Programme.slug.in_(data.programmes)))}
    if not data.programmes:
        fail("programmes", _("Choose the programmes whose desks follow this need."))
    elif len(programmes) != len(data.programmes):
        fail("programmes", _("Choose programmes from the list."))
    elif not (actor.is_admin or set(programmes.values()) & set(actor.moderated_programmes)):
        fail("programmes", _("Choose at least one programme of your desk: only its desks edit the need."))
    return errors


def _apply(need: CountryNeed, data: NeedData) -> None:
    need.country, need.title, need.description = data.country, data.title, data.description
    need.category, need.contact, need.is_open = data.category or None, data.contact, data.is_open
    numbers = sorted({vocab.HOME_SDG, *data.sdgs})
    need.sdgs = list(db.session.scalars(select(Sdg).where(Sdg.number.in_(numbers)).order_by(Sdg.number)))
    found = {p.slug: p for p in db.session.scalars(select(Programme).where(Programme.slug.in_(data.programmes)))}
    need.programmes = [found[slug] for slug in data.programmes]
    kept = {link.theme: link for link in need.theme_links}
    need.theme_links = [kept.get(theme) or NeedTheme(theme=theme) for theme in data.themes]


def _checked(data: NeedData, actor: User) -> NeedData:
    if not sits_on_a_desk(actor):
        raise PermissionDenied(_("Only desks and admins record country needs."))
    data = _normalised(data)
    errors = check(data, actor)
    if errors:
        raise RulesViolated(errors)
    return data


def create_need(actor: User, data: NeedData) -> CountryNeed:
    """A new need; the organisations behind its best offers are told by mail."""
    data = _checked(data, actor)
    words = matching.word_matches(data.title, data.description)  # before the first write (see there)
    need = CountryNeed(created_by_id=actor.id, updated_by_id=actor.id)
    _apply(need, data)
    db.session.add(need)
    db.session.flush()
    audit.record("need.created", actor, need_id=need.id, title=need.title, country=need.country)
    matching.tell_organisations(need, words)
    return need


def update_need(need: CountryNeed, actor: User, data: NeedData) -> list[str]:
    """Change ``need``; returns the names of the changed fields. Organisations whose offers now fit it
    and were not told yet are told."""
    if not can_edit_need(actor, need):
        raise PermissionDenied(_("Only the desks of the need's programmes edit it."))
    data = _checked(data, actor)
    words = matching.word_matches(data.title, data.description)  # before the first write (see there)
    before = NeedData.from_need(need)
    _apply(need, data)
    after = NeedData.from_need(need)
    changed = [name for name in NeedData.__dataclass_fields__ if getattr(before, name) != getattr(after, name)]
    if not changed:
        return []
    need.updated_at, need.updated_by_id = utcnow(), actor.id
    db.session.flush()
    if "is_open" in changed:
        audit.record("need.reopened" if need.is_open else "need.closed", actor, need_id=need.id, title=need.title)
    if set(changed) - {"is_open"}:
        audit.record("need.edited", actor, need_id=need.id, title=need.title, fields=changed)
    matching.tell_organisations(need, words)
    return changed


def get_need(need_id: int) -> CountryNeed:
    """Any need, open or closed: needs are public."""
    need = db.session.get(CountryNeed, need_id)
    if need is None:
        raise NotFound(need_id)
    return need


def editable_need(need_id: int, actor: User) -> CountryNeed:
    need = get_need(need_id)
    if not can_edit_need(actor, need):
        raise PermissionDenied(_("Only the desks of the need's programmes edit it."))
    return need


# --- Expressions of interest ---------------------------------------------------------------------------


def express_interest(need: CountryNeed, actor: User, message: str) -> NeedInterest:
    """The partner's organisation tells the need's desks that it could help (once per need)."""
    if not can_express_interest(actor):
        raise PermissionDenied(_("Partners of an organisation express interest in needs."))
    if not need.is_open:
        raise RuleViolation(_("This need is closed: it no longer waits for offers."), field="message")
    message = clean_text(message)
    if not message:
        raise RuleViolation(_("Say in a few words how your organisation could help."), field="message")
    if len(message) > MAX_INTEREST:
        raise RuleViolation(_("Keep the message under %(n)d characters.", n=MAX_INTEREST), field="message")
    earlier = _interest_of(need, actor.organisation_id)
    if earlier is not None:
        raise RuleViolation(
            _("Your organisation expressed interest in this need already, on %(day)s.",
              day=earlier.created_at.strftime("%d %b %Y")),
            field="message",
        )
    interest = NeedInterest(need_id=need.id, organisation_id=actor.organisation_id, user_id=actor.id, message=message)
    db.session.add(interest)
    db.session.flush()
    audit.record("need.interest_expressed", actor, organisation=actor.organisation, message=message, need_id=need.id)
    notifications.interest_expressed(need, interest)
    return interest


def interests(need: CountryNeed) -> list[NeedInterest]:
    """The expressions of interest in ``need``, oldest first (for its desks)."""
    return list(
        db.session.scalars(select(NeedInterest).where(NeedInterest.need_id == need.id).order_by(NeedInterest.id))
    )


def _interest_of(need: CountryNeed, organisation_id: int | None) -> NeedInterest | None:
    return db.session.scalar(
        select(NeedInterest).where(NeedInterest.need_id == need.id, NeedInterest.organisation_id == organisation_id)
    )


def has_expressed_interest(need: CountryNeed, user: User) -> bool:
    return can_express_interest(user) and _interest_of(need, user.organisation_id) is not None


# --- The public list -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedFilters:
    """``/needs`` parameters: the facets of the search with the same values (OR within, AND across)."""

    country: tuple[str, ...] = ()
    sdg: tuple[int, ...] = ()
    theme: tuple[str, ...] = ()
    programme: tuple[str, ...] = ()
    closed: bool = False  # include closed needs
    page: int = 1

    def to_args(self, **overrides) -> dict[str, list[str]]:
        values = {**{name: getattr(self, name) for name in (*FACETS, "closed", "page")}, **overrides}
        args = {name: [str(value) for value in values[name]] for name in FACETS if values[name]}
        if values["closed"]:
            args["closed"] = ["1"]
        if values["page"] != 1:
            args["page"] = [str(values["page"])]
        return args

    def without(self, facet: str, value) -> "NeedFilters":
        return replace(self, page=1, **{facet: tuple(v for v in getattr(self, facet) if v != value)})


def parse_need_filters(args: MultiDict) -> NeedFilters:
    """Filters from query parameters; an unknown value is a ``RuleViolation`` naming the parameter (400)."""
    values: dict[str, tuple] = {}
    for name in FACETS:
        parsed = []
        for raw in (raw.strip() for raw in args.getlist(name) if raw.strip()):
            value = PARSERS[name](raw)
            if value is None:
                raise RuleViolation(_("Unknown %(name)s '%(value)s'.", name=name, value=raw[:50]), field=name)
            if value not in parsed:
                parsed.append(value)
        values[name] = tuple(parsed)
    page = parse_filters(MultiDict({"page": args.get("page", "")})).page
    return NeedFilters(**values, closed=args.get("closed", "") in ("1", "yes", "on"), page=page)


@dataclass
class NeedList:
    filters: NeedFilters
    total: int
    needs: list[CountryNeed]
    facets: dict[str, dict]  # facet → value → count (what ticking it would give)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PER_PAGE))


def _values(need: CountryNeed, facet: str) -> set:
    if facet == "country":
        return {need.country}
    if facet == "sdg":
        return {number for number in need.sdg_numbers if number != vocab.HOME_SDG}
    if facet == "theme":
        return set(need.themes)
    return {programme.slug for programme in need.programmes}


def list_needs(filters: NeedFilters, per_page: int = PER_PAGE) -> NeedList:
    """The needs matching ``filters``, most recently updated first, with facet counts.

    The network records needs by the hundred, not by the hundred thousand: they are filtered and
    counted in Python after one query.
    """
    query = select(CountryNeed).order_by(CountryNeed.updated_at.desc(), CountryNeed.id.desc())
    if not filters.closed:
        query = query.where(CountryNeed.is_open.is_(True))
    every = list(db.session.scalars(query))

    def keeps(need: CountryNeed, skip: str | None = None) -> bool:
        return all(
            not getattr(filters, facet) or _values(need, facet) & set(getattr(filters, facet))
            for facet in FACETS
            if facet != skip
        )

    facets: dict[str, dict] = {}
    for facet in FACETS:
        counts: dict = {}
        for need in every:
            if keeps(need, skip=facet):
                for value in _values(need, facet):
                    counts[value] = counts.get(value, 0) + 1
        facets[facet] = counts
    chosen = [need for need in every if keeps(need)]
    start = (filters.page - 1) * per_page
    return NeedList(filters, len(chosen), chosen[start : start + per_page], facets)


def desk_needs(user: User) -> Select:
    """The open needs of the programmes whose desk ``user`` sits on (every open need for admins), most
    recently updated first: the needs ``can_edit_need`` lets them edit, as a query to page through."""
    query = (select(CountryNeed).where(CountryNeed.is_open.is_(True))
             .order_by(CountryNeed.updated_at.desc(), CountryNeed.id.desc()))
    if is_admin(user):
        return query
    desks = [programme.id for programme in user.moderated_programmes] if user.is_moderator else []
    return query.where(CountryNeed.id.in_(
        select(need_programmes.c.need_id).where(need_programmes.c.programme_id.in_(desks))))
