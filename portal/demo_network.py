"""Demo data of match-making and cross-programme work: a few showcase offers (three generated items
rewritten, so that ``seed-demo --items N`` still makes N items), country needs (recorded through the
needs service, so their matches are mailed to the demo outbox), links between items of different
programmes, and highlights and key messages for the demo desk's programmes.

Run after ``demo.seed_items`` and a committed, indexed catalogue (``seed-demo`` does), and only once:
``seed_network`` does nothing when needs exist already.
"""

import random
from datetime import date

from sqlalchemy import func, insert, select

from portal.catalogue import highlights, needs
from portal.catalogue.figures import FigureText
from portal.catalogue.visibility import public_clause
from portal.extensions import db
from portal.models import (
    CountryNeed,
    Item,
    ItemLink,
    ItemProgramme,
    Organisation,
    PortfolioEntry,
    Programme,
    Sdg,
    User,
    utcnow,
)

# (organisation, kind, title, summary, programmes, SDGs, countries, themes, category or resource type, figures)
SHOWCASE_OFFERS = (
    ("UN Environment Programme", "resource", "Green public procurement training toolkit",
     "Slides, exercises and case studies to train procurement officers in green public procurement.",
     ("spp",), (8, 13), ("UG", "TZ", "RW"), ("resource_efficiency", "circular_economy"), "training_material", ()),
    ("Green Procurement Alliance", "initiative", "E-learning course on sustainable public procurement",
     "A tutored online course for public buyers: criteria, market dialogue, life-cycle costing and monitoring.",
     ("spp", "sle"), (4, 13), ("KE", "ET"), ("resource_efficiency",), "capacity_building",
     ({"value": 1800, "unit": "public buyers", "measure": "trained since 2021"},)),
    ("Kenya Food Systems Network", "initiative", "Sustainable school meals through public procurement",
     "Counties buy school meals from local smallholders with sustainability criteria in their tenders.",
     ("sfs", "spp"), (2, 3), ("KE",), ("food_loss_and_waste",), "implementation",
     ({"value": 120000, "unit": "pupils", "measure": "eat sustainably sourced meals"},
      {"value": 35, "unit": "%", "measure": "less food waste in the schools"})),
)

# (country, title, description, programmes, SDGs, themes, category)
DEMO_NEEDS = (
    ("KE", "Training in green public procurement",
     "The National Treasury asks for **training of county procurement officers** in green public procurement: "
     "criteria for construction, food and ICT tenders, and life-cycle costing.",
     ("spp",), (8, 13), ("resource_efficiency", "circular_economy"), "capacity_building"),
    ("CR", "Less single-use plastic in coastal tourism",
     "Hotels and tour operators of the Pacific coast look for tools to cut single-use plastics.",
     ("st",), (14,), ("plastics",), "tools_and_solutions"),
    ("global", "Measuring food loss and waste in retail",
     "Many countries ask for a common method to measure food waste in shops and markets.",
     ("sfs", "ci"), (2,), ("food_loss_and_waste",), "research"),
    ("NP", "Earthquake-safe and low-carbon school buildings",
     "Guidance for rebuilding schools that are both safe and low in embodied carbon.",
     ("sbc",), (4, 11), ("cities",), "tools_and_solutions"),
)

KEY_MESSAGES = {
    "spp": ("Public buyers spend 13 % of world GDP: buying green moves whole markets.",
            "Criteria, training and market dialogue work best together.",
            "Partners share tender models so that no country starts from scratch."),
    "sfs": ("A third of food is lost or wasted; halving it is within reach.",
            "School meals and public canteens are the quickest lever for sustainable diets.",
            "Food systems change when farmers, retailers and cities act together."),
}


def _showcase_offers() -> list[Item]:
    """The first generated items of each kind rewritten as the showcase offers (none when too few items)."""
    organisations = {o.name: o for o in db.session.scalars(select(Organisation))}
    programmes = {p.slug: p for p in db.session.scalars(select(Programme))}
    rewritten = []
    for name, kind, title, summary, slugs, sdgs, countries, themes, sort, figures in SHOWCASE_OFFERS:
        taken = [item.id for item in rewritten] or [0]
        item = db.session.scalar(select(Item).where(Item.kind == kind, Item.id.notin_(taken)).order_by(Item.id))
        if item is None:
            return []
        item.title, item.summary, item.description, item.language = title, summary, summary, "en"
        item.organisation, item.state, item.hidden, item.is_offer = organisations[name], "published", False, True
        item.updated_at = item.published_at = utcnow()
        if kind == "initiative":
            item.activity_category, item.initiative_status = sort, "ongoing"
            item.start_date, item.end_date, item.key_figures = date(2021, 3, 1), None, list(figures) or None
        else:
            item.resource_type = sort
        item.programmes = [programmes[slug] for slug in slugs]
        item.sdgs = list(db.session.scalars(select(Sdg).where(Sdg.number.in_({12, *sdgs}))))
        item.countries, item.themes, item.is_global = list(countries), list(themes), False
        item.portfolio_entries = [PortfolioEntry(programme=programmes[slugs[0]], status="core")]
        rewritten.append(item)
    db.session.flush()
    return rewritten


def _links(rng: random.Random, showcase: list[Item]) -> None:
    """The showcase items linked to one another, and some public items linked across programmes."""
    toolkit, course, meals = showcase
    rows = [
        {"source_id": toolkit.id, "target_id": course.id, "relation": "produced_by"},
        {"source_id": meals.id, "target_id": course.id, "relation": "related_to"},
    ]
    lead = (
        select(Item.id, ItemProgramme.programme_id)
        .join(ItemProgramme, (ItemProgramme.item_id == Item.id) & (ItemProgramme.position == 0))
        .where(public_clause(), Item.id.notin_([item.id for item in showcase]))
    )
    public = db.session.execute(lead).all()
    pairs = set()
    for _ in range(len(public) // 25):
        (source, source_programme), (target, target_programme) = rng.sample(public, 2)
        if source_programme != target_programme and (target, source) not in pairs:
            pairs.add((source, target))
    rows += [{"source_id": s, "target_id": t, "relation": rng.choice(("part_of", "replicates", "related_to"))}
             for s, t in sorted(pairs)]
    db.session.execute(insert(ItemLink), [{**row, "created_at": utcnow()} for row in rows])


def _highlights(rng: random.Random, admin: User) -> None:
    for slug, messages in KEY_MESSAGES.items():
        programme = db.session.scalar(select(Programme).where(Programme.slug == slug))
        portfolio = select(Item.id).join(PortfolioEntry, PortfolioEntry.item_id == Item.id).where(
            PortfolioEntry.programme_id == programme.id, PortfolioEntry.status.in_(("core", "affiliated")),
            public_clause(),
        ).order_by(Item.is_offer.desc(), Item.updated_at.desc()).limit(4)
        for item_id in db.session.scalars(portfolio):
            figure = highlights.suggested_figure(item_id)
            if not figure.value:
                figure = FigureText(str(rng.randrange(200, 20000, 100)), "people", "reached by the work")
            highlights.add_highlight(programme, admin, item_id, figure)
        highlights.set_key_messages(programme, admin, list(messages))


def seed_network(seed: int = 2026) -> int:
    """Showcase offers, needs, links, highlights and key messages; returns how many needs were recorded."""
    if db.session.scalar(select(func.count(CountryNeed.id))):
        return 0
    rng = random.Random(seed)
    admin = db.session.scalar(select(User).where(User.role == "admin").order_by(User.id))
    showcase = _showcase_offers()
    db.session.commit()  # indexed now, so that the needs' word matches find the showcase offers
    if showcase:
        _links(rng, showcase)
    _highlights(rng, admin)
    for country, title, description, slugs, sdgs, themes, category in DEMO_NEEDS:
        needs.create_need(admin, needs.NeedData(country=country, title=title, description=description,
                                                programmes=list(slugs), sdgs=list(sdgs), themes=list(themes),
                                                category=category, contact="focal.point@example.org"))
    return len(DEMO_NEEDS)
