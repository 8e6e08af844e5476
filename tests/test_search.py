"""Full-text search over all narratives: SQLite FTS5 and PostgreSQL full text alike."""

from __future__ import annotations

from tcmap.config import Settings
from tcmap.demo import DEMO_XML
from tcmap.ingest import import_paths
from tcmap.portfolio.listing import Filters, list_activities

UKRAINE = "XM-DAC-41302-101895-378077-2010-UKR107"


def _found(store, q):
    with store.session() as s:
        return [a["identifier"] for a in list_activities(s, Filters(q=q), limit=500)["activities"]]


def test_every_word_must_occur_somewhere_in_the_activity(store):
    import_paths(store, [DEMO_XML], Settings.load(workers=1))
    assert UKRAINE in _found(store, "inspection Ukraine")
    assert UKRAINE not in _found(store, "inspection Ukraine zzqqxx")
    assert set(_found(store, "inspection Ukraine")) <= set(_found(store, "inspection"))


def test_prefixes_and_identifiers_match(store):
    import_paths(store, [DEMO_XML], Settings.load(workers=1))
    assert UKRAINE in _found(store, "inspect")
    assert _found(store, "UKR107") == [UKRAINE]


def test_a_changed_activity_is_found_by_its_new_text(store, tmp_path):
    import_paths(store, [DEMO_XML], Settings.load(workers=1))
    assert UKRAINE in _found(store, "inspection")
    changed = tmp_path / "demo.xml"
    changed.write_text(DEMO_XML.read_text(encoding="utf-8").replace(
        "Strengthening labour administration and inspection services in Ukraine",
        "Quokka administration in Ukraine"), encoding="utf-8")
    import_paths(store, [changed], Settings.load(workers=1))
    assert UKRAINE in _found(store, "quokka")
