"""The index's columns: bit sets per facet value and per (programme, status), deletions, the visibility
rule as a mask, counts and orders, computed from the cards alone."""

import json
from datetime import datetime

import numpy as np

from portal.catalogue.visibility import PublicRule
from portal.search.columns import FACET_VALUES, Columns, SegmentColumns, count, pack, unpack

RULE = PublicRule("published", datetime(2026, 1, 1))


def card(item_id: int, **fields) -> str:
    values = {
        "id": item_id, "kind": "initiative", "title": f"Item {item_id}", "state": "published", "hidden": False,
        "updated_at": "2026-06-01T00:00:00", "programmes": ["spp"], "portfolio": {"spp": "none"}, "sdgs": [12],
        "countries": [], "global": False, "category": None, "resource_type": None, "themes": [], "language": "en",
    }
    values.update(fields)
    return json.dumps(values)


def columns(*segments: list[str], deleted=()) -> Columns:
    """Columns over segments of cards; ``deleted``: (segment, local number) pairs."""
    parts, offset = [], 0
    for number, cards in enumerate(segments):
        built = SegmentColumns.from_cards(cards, len(cards))
        parts.append((built, offset, {local for segment, local in deleted if segment == number}))
        offset += len(cards)
    return Columns.build(parts)


def ids(built: Columns, mask: np.ndarray) -> set[int]:
    return {int(i) for i in built.ids[unpack(mask, built.n) & built.alive]}


def test_bit_sets_pack_and_count():
    mask = np.array([True, False] * 70)
    assert unpack(pack(mask), len(mask)).tolist() == mask.tolist()
    assert count(pack(mask)) == 70


def test_facet_values_are_or_ed_and_segments_concatenate():
    built = columns(
        [card(1, sdgs=[12, 7], countries=["KE"]), card(2, sdgs=[12, 13], **{"global": True})],
        [card(3, kind="resource", themes=["water"], countries=["FR"])],
    )
    assert ids(built, built.any_of("sdg", [7, 13])) == {1, 2}
    assert ids(built, built.any_of("country", ["global", "FR"])) == {2, 3}
    assert ids(built, built.any_of("region", ["AF"])) == {1}
    assert ids(built, built.any_of("kind", ["resource"]) & built.any_of("theme", ["water"])) == {3}
    assert ids(built, built.any_of("theme", ["not a theme"])) == set()
    counts = built.counts("sdg", built.any_of("kind", ["initiative"])).tolist()
    assert {n: c for n, c in zip(FACET_VALUES["sdg"], counts, strict=True) if c} == {7: 1, 12: 2, 13: 1}


def test_status_without_a_programme_is_none_only_outside_every_portfolio():
    built = columns([
        card(1, programmes=["spp", "ci"], portfolio={"spp": "core", "ci": "none"}),
        card(2, programmes=["spp"], portfolio={"spp": "none"}),
        card(3, programmes=["ci", "st"], portfolio={"ci": "affiliated", "st": "core"}),
    ])
    assert ids(built, built.any_of("status", ["none"])) == {2}
    assert ids(built, built.any_of("status", ["core"])) == {1, 3}
    # With programmes: the status in those programmes.
    assert ids(built, built.pairs_of(["ci"], ["none"])) == {1}
    assert ids(built, built.pairs_of(["spp", "st"], ["core"])) == {1, 3}


def test_deleted_documents_are_never_alive_and_ids_map_to_live_documents():
    built = columns([card(1), card(2)], [card(2, title="Item 2, updated")], deleted=[(0, 1)])
    assert built.alive.tolist() == [True, False, True]
    assert built.docnum_of(2) == 2 and built.docnum_of(1) == 0 and built.docnum_of(99) is None
    assert ids(built, built.public(RULE)) == {1, 2}


def test_the_public_mask_is_the_rule_and_the_staff_mask_every_state_of_the_programmes():
    built = columns([
        card(1),
        card(2, hidden=True),
        card(3, state="submitted", programmes=["ci"], portfolio={"ci": "none"}),
        card(4, updated_at="2025-12-31T23:59:59"),
        card(5, updated_at="2026-01-01T00:00:00"),
    ])
    assert ids(built, built.public(RULE)) == {1, 5}
    assert built.public(RULE) is built.public(PublicRule("published", datetime(2026, 1, 1)))  # kept per rule
    assert ids(built, built.staff(None, (), None)) == {1, 2, 3, 4, 5}
    assert ids(built, built.staff(("ci",), (), None)) == {3}
    assert ids(built, built.staff(None, ("published",), RULE.updated_since)) == {4}


def test_orders_newest_first_and_by_title():
    built = columns([
        card(1, title="banana", updated_at="2026-03-01T00:00:00"),
        card(2, title="Apple", updated_at="2026-05-01T00:00:00"),
        card(3, title="cherry", updated_at="2026-05-01T00:00:00"),
    ])
    everything = pack(built.alive)
    assert [int(built.ids[d]) for d in built.docnums(everything, "newest")] == [3, 2, 1]
    assert [int(built.ids[d]) for d in built.docnums(everything, "title")] == [2, 1, 3]
