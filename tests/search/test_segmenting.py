"""Runs of Chinese, Japanese and Korean characters read as their pairs, by both backends alike."""

from portal.search.analysis import analyse
from portal.search.segmenting import marked_spans, segmented


def test_a_run_becomes_its_overlapping_pairs_and_other_words_stay_as_they_are():
    assert segmented("COP28气候变化，水 plastic").split() == ["COP28", "气候", "候变", "变化", "，", "水", "plastic"]
    assert segmented("Plain text only") == "Plain text only"


def test_the_whoosh_analysis_keeps_lone_characters_and_japanese_and_korean_runs():
    assert analyse("水", "") == ["水"]
    assert analyse("リサイクル", "") == ["リサ", "サイ", "イク", "クル"]
    assert analyse("재활용", "") == ["재활", "활용"]
    assert analyse("a 水 b", "en") == ["水"]  # one-letter Latin words are still left out


def test_the_spans_to_mark_cover_the_pairs_asked_for_and_merge_when_they_touch():
    assert marked_spans("山区可持续旅游发展", {"持续", "旅游"}) == [(3, 7)]
    assert marked_spans("旅游与旅游", {"旅游"}) == [(0, 2), (3, 5)]
    assert marked_spans("山区", set()) == []
