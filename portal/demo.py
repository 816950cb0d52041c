"""Demo data: organisations, one account per role, and generated items of both kinds.

Items are written with bulk inserts, so that ``seed-demo --items 100000`` finishes in well under a
minute; the values spread over programmes, SDGs, countries, categories, states, portfolio statuses
and update dates (some older than the inactivity window).
"""

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, insert, select, text

from portal import vocab
from portal.catalogue import accounts
from portal.demo_texts import ENGLISH, PHRASES, Phrases
from portal.extensions import db
from portal.models import (
    AuditEvent,
    Item,
    ItemCountry,
    ItemProgramme,
    ItemTheme,
    Organisation,
    Partnership,
    PortfolioEntry,
    Programme,
    User,
    item_sdgs,
    utcnow,
)

# (email, role, name, password, organisation, moderated programmes)
DEMO_ACCOUNTS = (
    ("admin@example.org", "admin", "Ada Admin", "secretariat-demo-admin-2026", None, ()),
    ("moderator@example.org", "moderator", "Moses Moderator", "desk-demo-moderator-2026", None, ("spp", "sfs")),
    ("partner@example.org", "partner", "Paula Partner", "partner-demo-account-2026", "Green Procurement Alliance", ()),
)

# (name, type, country, programmes)
DEMO_ORGANISATIONS = (
    ("Green Procurement Alliance", "civil_society", "DE", ("spp", "sfs", "ci")),
    ("Ministry of Environment and Energy of Costa Rica", "government", "CR", ("spp", "sle", "st")),
    ("Kenya Food Systems Network", "civil_society", "KE", ("sfs",)),
    ("Nordic Ecolabel Institute", "academia", "SE", ("ci",)),
    ("Tourism for Tomorrow Foundation", "civil_society", "TH", ("st",)),
    ("Centre for Green Buildings Research", "academia", "IN", ("sbc",)),
    ("Asia Pacific Roundtable on SCP", "un_intergovernmental", "PH", ("sle", "sfs")),
    ("Circular Cities Coalition", "civil_society", "BR", ("sbc", "sle")),
    ("UN Environment Programme", "un_intergovernmental", "KE", ("spp", "ci", "st", "sle", "sbc", "sfs")),
    ("EcoHotels Group", "business", "ES", ("st",)),
    ("Cape Town Sustainable Consumption Lab", "academia", "ZA", ("sle", "sfs")),
    ("Fair Food Retailers Association", "business", "FR", ("sfs", "ci")),
)

PROGRAMME_TOPICS = ENGLISH.topics
DEMO_FIGURES = [
    lambda rng: {"value": rng.randrange(50, 5000, 50), "unit": "people", "measure": "trained"},
    lambda rng: {"value": rng.randrange(100, 90000, 100), "unit": "tonnes CO2e", "measure": "of emissions avoided"},
    lambda rng: {"value": rng.randrange(5, 60), "unit": "%", "measure": "less waste in participating sites"},
    lambda rng: {"value": rng.randrange(2, 40), "unit": "countries", "measure": "took the approach up"},
]
LANGUAGES = ["en"] * 6 + ["fr", "es", "pt", "ar", "zh", "ru"]
STATE_WEIGHTS = {"published": 72, "submitted": 9, "draft": 6, "changes_requested": 4, "rejected": 4, "withdrawn": 3}
PORTFOLIO_WEIGHTS = {"none": 60, "affiliated": 28, "core": 12}
EVENT_TABLE = AuditEvent.__table__


def seed_accounts() -> dict[str, tuple[str, str]]:
    """Demo organisations and one account per role; returns email → (role, password)."""
    programmes = {programme.slug: programme for programme in db.session.scalars(select(Programme))}
    for name, type_, country, slugs in DEMO_ORGANISATIONS:
        organisation = accounts.get_or_create_organisation(name, type=type_, country=country)
        for slug in slugs:
            if programmes[slug] not in organisation.programmes:
                joined = date(2019 + len(name) % 6, 1 + len(slug) * 2, 15)
                organisation.partnerships.append(Partnership(programme=programmes[slug], joined_on=joined))
    db.session.flush()
    passwords = {}
    for email, role, name, password, organisation_name, moderated in DEMO_ACCOUNTS:
        if accounts.find_user_by_email(email) is None:
            organisation = db.session.scalar(select(Organisation).where(Organisation.name == organisation_name))
            accounts.create_user(
                email, name, password, role, organisation, [programmes[s] for s in moderated], check_password=False
            )
        passwords[email] = (role, password)
    return passwords


def _extra_organisations(rng: random.Random, count: int, programmes: list[Programme]) -> None:
    """Generated partner organisations, so that big catalogues have many partners."""
    existing = set(db.session.scalars(select(Organisation.name)))
    country_codes = list(vocab.values(vocab.countries("en")))
    prefixes = ["Institute for", "Alliance for", "Network on", "Centre for", "Foundation for", "Council on"]
    subjects = [
        "Circular Economy",
        "Sustainable Living",
        "Green Growth",
        "Responsible Business",
        "Clean Cities",
        "Food Futures",
        "Green Buildings",
        "Sustainable Travel",
        "Fair Trade",
        "Resource Efficiency",
    ]
    organisation_rows, partnership_rows = [], []
    next_id = (db.session.scalar(select(func.max(Organisation.id))) or 0) + 1
    while len(organisation_rows) < count:
        country = rng.choice(country_codes)
        name = f"{rng.choice(prefixes)} {rng.choice(subjects)} {vocab.country_name(country, 'en')} {next_id}"
        if name in existing:
            continue
        existing.add(name)
        organisation_rows.append(
            {
                "id": next_id,
                "name": name,
                "type": rng.choice(vocab.ORGANISATION_TYPES)[0],
                "country": country,
                "created_at": utcnow(),
            }
        )
        for programme in rng.sample(programmes, rng.choice((1, 1, 1, 2, 2, 3))):
            joined = date(2018, 1, 1) + timedelta(days=rng.randrange(8 * 365))
            partnership_rows.append({"organisation_id": next_id, "programme_id": programme.id, "joined_on": joined})
        next_id += 1
    db.session.execute(insert(Organisation), organisation_rows)
    db.session.execute(insert(Partnership), partnership_rows)


def _sentences(rng: random.Random, count: int) -> list[tuple[int, int]]:
    """Picks of ``count`` sentences and their actors (the same in every language)."""
    return [(rng.randrange(len(ENGLISH.sentences)), rng.randrange(len(ENGLISH.actors))) for _ in range(count)]


def _written(phrases: Phrases, picks: list[tuple[int, int]], topic: str) -> list[str]:
    return [phrases.sentences[sentence].format(actors=phrases.actors[actor], topic=topic) for sentence, actor in picks]


def _text(rng: random.Random, topic: str, sentences: int, phrases: Phrases = ENGLISH) -> str:
    return phrases.space.join(_written(phrases, _sentences(rng, sentences), topic))


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def seed_items(
    count: int, *, seed: int = 2026, progress: Callable[[int], object] = lambda n: None, now: datetime | None = None
) -> None:
    """Generate ``count`` items with their links, portfolio entries and history events."""
    rng = random.Random(seed)
    now = now or utcnow()
    programmes = list(db.session.scalars(select(Programme).order_by(Programme.position)))
    organisation_count = db.session.scalar(select(func.count(Organisation.id)))
    if count // 40 > organisation_count:
        _extra_organisations(rng, count // 40 - organisation_count, programmes)
    partners = db.session.execute(select(Partnership.organisation_id, Partnership.programme_id)).all()
    # Partners are unevenly active, as in the network: about a third contribute nothing, so that the
    # reporting rate sits below its 75 % target and the desk has partners to remind.
    demo_partner = db.session.scalar(select(Organisation.id).where(Organisation.name == DEMO_ACCOUNTS[2][4]))
    activity = {organisation_id: rng.choice((0, 0, 1, 1, 2, 4)) for organisation_id, _ in partners}
    activity[demo_partner] = 4
    by_programme: dict[int, tuple[list[int], list[int]]] = {}
    for organisation_id, programme_id in partners:
        if activity[organisation_id]:
            organisations, cumulative = by_programme.setdefault(programme_id, ([], []))
            organisations.append(organisation_id)
            cumulative.append((cumulative[-1] if cumulative else 0) + activity[organisation_id])
    partner_user = db.session.scalar(select(User.id).where(User.email == "partner@example.org"))
    country_codes = list(vocab.values(vocab.countries("en")))
    first_id = (db.session.scalar(select(func.max(Item.id))) or 0) + 1
    batch = 2000
    for start in range(0, count, batch):
        rows: dict[str, list[dict]] = {
            "items": [],
            "programmes": [],
            "sdgs": [],
            "countries": [],
            "themes": [],
            "portfolio": [],
            "events": [],
        }
        for item_id in range(first_id + start, first_id + min(start + batch, count)):
            _generate_item(rng, item_id, now, programmes, by_programme, country_codes, partner_user, rows)
        db.session.execute(insert(Item), rows["items"])
        db.session.execute(insert(ItemProgramme), rows["programmes"])
        db.session.execute(insert(item_sdgs), rows["sdgs"])
        if rows["countries"]:
            db.session.execute(insert(ItemCountry), rows["countries"])
        db.session.execute(insert(ItemTheme), rows["themes"])
        if rows["portfolio"]:
            db.session.execute(insert(PortfolioEntry), rows["portfolio"])
        db.session.execute(insert(EVENT_TABLE), rows["events"])
        progress(len(rows["items"]))
    if db.engine.dialect.name == "postgresql":  # explicit ids leave the sequences behind
        for table in ("items", "organisations"):
            db.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT max(id) FROM {table}))"
                )
            )
    db.session.flush()


def _generate_item(rng, item_id, now, programmes, by_programme, country_codes, partner_user, rows) -> None:
    kind = "initiative" if rng.random() < 0.55 else "resource"
    item_programmes = rng.sample(programmes, rng.choice((1, 1, 1, 2, 2, 3)))
    lead = item_programmes[0]
    organisations, cumulative = by_programme.get(lead.id) or ([1], [1])
    organisation_id = rng.choices(organisations, cum_weights=cumulative)[0]
    # Indices first, words once the item's language is drawn: an English item is the same as ever.
    topic_pick = rng.randrange(len(ENGLISH.topics[lead.slug]))
    form_pick = rng.randrange(len(ENGLISH.initiative_forms if kind == "initiative" else ENGLISH.resource_forms))
    place_pick = rng.randrange(len(ENGLISH.places))
    state = _weighted(rng, STATE_WEIGHTS)
    # Work in progress is recent; of the rest, three in four were updated within two years and the
    # others have aged out of public view (inactive).
    if state in ("draft", "submitted", "changes_requested"):
        age_days = rng.randrange(120)
    else:
        age_days = rng.randrange(730) if rng.random() < 0.75 else rng.randrange(730, 5 * 365)
    updated_at = now - timedelta(days=age_days, minutes=rng.randrange(1440))
    created_at = updated_at - timedelta(days=rng.randrange(400))
    submitted_at = None if state == "draft" else created_at + (updated_at - created_at) / 3
    published = state in ("published", "withdrawn")
    summary_picks = _sentences(rng, rng.randint(2, 3))
    objectives, activities, results = _sentences(rng, 3), _sentences(rng, 3), _sentences(rng, 2)
    language = rng.choice(LANGUAGES)
    phrases = PHRASES[language]
    topic = phrases.topics[lead.slug][topic_pick]
    form = (phrases.initiative_forms if kind == "initiative" else phrases.resource_forms)[form_pick]
    headings = phrases.headings
    description = (
        f"## {headings[0]}\n\n{phrases.space.join(_written(phrases, objectives, topic))}\n\n## {headings[1]}\n\n"
        + "\n".join(f"- {sentence}" for sentence in _written(phrases, activities, topic))
        + f"\n\n## {headings[2]}\n\n{phrases.space.join(_written(phrases, results, topic))}"
    )
    row = {
        "id": item_id,
        "kind": kind,
        "title": phrases.title.format(form=form, topic=topic, place=phrases.places[place_pick])[:200],
        "summary": phrases.space.join(_written(phrases, summary_picks, topic))[:500],
        "description": description,
        "organisation_id": organisation_id,
        "created_by_id": partner_user if organisation_id == 1 else None,
        "website_url": f"https://example.org/{lead.slug}/{item_id}",
        "contact": "info@example.org",
        "language": language,
        "is_global": rng.random() < 0.15,
        "is_offer": rng.random() < 0.08,
        "state": state,
        "hidden": state == "published" and rng.random() < 0.02,
        "hidden_reason": None,
        "published_snapshot": None,
        "created_at": created_at,
        "updated_at": updated_at,
        # Bulk inserts bypass portal.catalogue.changes: set what it would have.
        "changed_at": updated_at,
        "ever_public": published,
        "submitted_at": submitted_at,
        "published_at": min(submitted_at + timedelta(days=rng.randrange(1, 30)), updated_at) if published else None,
        "activity_category": None,
        "start_date": None,
        "end_date": None,
        "initiative_status": None,
        "results_on_ground": None,
        "key_figures": None,
        "resource_type": None,
        "authors": None,
        "publication_year": None,
        "link_url": None,
        "file_name": None,
        "file_original_name": None,
        "file_mime": None,
        "file_size": None,
    }
    if row["hidden"]:
        row["hidden_reason"] = "Broken link reported by a visitor."
    if kind == "initiative":
        start = created_at.date() - timedelta(days=rng.randrange(365))
        row.update(
            activity_category=rng.choice(vocab.ACTIVITY_CATEGORIES)[0],
            start_date=start,
            end_date=start + timedelta(days=rng.randrange(180, 1500)) if rng.random() < 0.7 else None,
            initiative_status=rng.choice(vocab.INITIATIVE_STATUSES)[0],
        )
        if rng.random() < 0.2:
            row["results_on_ground"] = _text(rng, topic, 2, phrases)
            row["key_figures"] = [rng.choice(DEMO_FIGURES)(rng) for _ in range(rng.randint(1, 3))]
    else:
        row.update(
            resource_type=rng.choice(vocab.RESOURCE_TYPES)[0],
            authors="J. Doe; A. N. Other",
            publication_year=created_at.year,
            link_url=f"https://example.org/library/{item_id}.pdf",
        )
    rows["items"].append(row)
    for position, programme in enumerate(item_programmes):
        rows["programmes"].append({"item_id": item_id, "programme_id": programme.id, "position": position})
        status = _weighted(rng, PORTFOLIO_WEIGHTS) if published else "none"
        if status != "none":
            checks = [key for key, _ in current_app.config["DUE_DILIGENCE_CHECKS"]]
            rows["portfolio"].append(
                {
                    "item_id": item_id,
                    "programme_id": programme.id,
                    "status": status,
                    "checks": checks,
                    "notes": "",
                    "decided_by_id": None,
                    "decided_at": row["published_at"],
                }
            )
    sdgs = {vocab.HOME_SDG} | set(rng.sample(range(1, 18), rng.randint(0, 5)))
    rows["sdgs"].extend({"item_id": item_id, "sdg_number": number} for number in sorted(sdgs))
    if not row["is_global"]:
        rows["countries"].extend(
            {"item_id": item_id, "code": code} for code in rng.sample(country_codes, rng.choice((1, 1, 2, 3)))
        )
    rows["themes"].extend(
        {"item_id": item_id, "theme": theme} for theme in rng.sample([t for t, _ in vocab.THEMES], rng.randint(1, 3))
    )
    events = [("item.created", created_at)]
    if submitted_at:
        events.append(("item.submitted", submitted_at))
    if published:
        events.append(("item.approved", row["published_at"]))
        if updated_at > row["published_at"]:
            events.append((rng.choice(("item.edited", "item.confirmed")), updated_at))
    if state in ("rejected", "changes_requested", "withdrawn"):
        events.append((f"item.{state}", updated_at))
    for action, at in events:
        rows["events"].append(
            {
                "created_at": at,
                "action": action,
                "item_id": item_id,
                "actor_id": None,
                "user_id": None,
                "organisation_id": organisation_id,
                "programme_id": lead.id,
                "message": "",
                "details": {},
            }
        )
