"""Importing real published IATI files: every activity is accounted for, and nothing twice.

The files live under ../shared/data/real; the tests skip where that folder is absent.
Activities are counted independently of tcmap's reader, with a plain lxml parse.
"""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

from tcmap.config import Settings
from tcmap.ingest import import_paths
from tcmap.store import Activity

from conftest import REAL, need_shared

pytestmark = pytest.mark.shared

FIXTURES = REAL / "iati-datastore-fixtures"
FIXTURE_FILES = sorted(p.name for p in FIXTURES.glob("*.xml")) or ["absent.xml"]
DPORTAL_ACTIVITIES = 13_200


def activity_ids(path: Path) -> list[str | None]:
    """The iati-identifier of every <iati-activity> in the file; [] when it is not XML."""
    ids = []
    try:
        for _, el in etree.iterparse(str(path), tag="iati-activity", huge_tree=True,
                                     remove_comments=True):
            ident = el.findtext("iati-identifier")
            ids.append(ident.strip() if ident else None)
            el.clear()
    except etree.XMLSyntaxError:
        pass
    return ids


def stored_ids(store) -> list[str]:
    with store.session() as s:
        return list(s.scalars(select(Activity.iati_identifier)))


def accounted(fr) -> int:
    return fr.inserted + fr.updated + fr.unchanged + fr.rejected


# --- IATI 1.0x: the IATI datastore's test fixtures --------------------------------------------


@pytest.mark.parametrize("name", FIXTURE_FILES)
def test_datastore_fixture_imports_every_activity_and_reimports_unchanged(sqlite_store, name):
    path = need_shared("data", "real", "iati-datastore-fixtures") / name
    expected = activity_ids(path)

    first = import_paths(sqlite_store, [path], Settings.load(workers=1)).files[0]
    again = import_paths(sqlite_store, [path], Settings.load(workers=1)).files[0]

    assert first.activities == accounted(first) == len(expected) > 0, first.to_dict()
    assert first.inserted == len(set(stored_ids(sqlite_store))) == len(stored_ids(sqlite_store))
    assert (again.unchanged, again.inserted, again.updated) == (first.inserted, 0, 0)


# --- IATI 2.03: the d-portal COVID-19 corpus --------------------------------------------------


@pytest.fixture(scope="module")
def dportal_folder(tmp_path_factory) -> Path:
    """saved_data/ of the d-portal corpus, unpacked once for the module."""
    archive = need_shared("data", "real", "dportal-covid19-2021", "saved_data.tar.xz")
    target = tmp_path_factory.mktemp("dportal")
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    return target / "saved_data"


def test_dportal_corpus_imports_every_activity_once_and_reimports_unchanged(
    store, dportal_folder
):
    base = need_shared("data", "real", "dportal-covid19-2021")
    files = sorted(dportal_folder.glob("*.xml"))
    expected = {f: activity_ids(f) for f in files}
    corpus = {i for ids in expected.values() for i in ids}
    assert sum(map(len, expected.values())) == len(corpus) == DPORTAL_ACTIVITIES

    report = import_paths(store, [dportal_folder], Settings.load(workers=2))

    assert len(report.files) == len(files)
    for fr in report.files:
        assert fr.activities == accounted(fr) == len(expected[Path(fr.path)]), fr.path
    assert report.total("inserted") == DPORTAL_ACTIVITIES
    assert report.total("rejected") == 0
    errors = [(Path(f.path).name, p.code) for f in report.files for p in f.problems
              if p.is_error]
    assert errors == [("dportal_140.xml", "malformed-xml")]  # a JSON "empty result" reply
    assert [Path(f.path).name for f in report.files if f.refused] == ["dportal_140.xml"]
    ids = stored_ids(store)
    assert len(ids) == DPORTAL_ACTIVITIES and set(ids) == corpus

    again = import_paths(store, [dportal_folder], Settings.load(workers=2))

    assert again.total("unchanged") == DPORTAL_ACTIVITIES
    assert again.total("inserted") == again.total("updated") == 0

    # The older snapshot and the per-agency extracts share identifiers with the corpus.
    known = set(corpus)
    for extra in (base / "saved_data_older_snapshot_only.xml", base / "extracts"):
        more = import_paths(store, [extra], Settings.load(workers=2))
        extra_files = [extra] if extra.is_file() else sorted(extra.glob("*.xml"))
        assert sorted(Path(f.path) for f in more.files) == extra_files
        extra_ids = set()
        for fr in more.files:
            ids_in_file = activity_ids(Path(fr.path))
            extra_ids.update(ids_in_file)
            assert fr.activities == accounted(fr) == len(ids_in_file), fr.path
        assert more.total("rejected") == 0 and not any(f.refused for f in more.files)
        assert more.total("inserted") == len(extra_ids - known)
        known |= extra_ids
        ids = stored_ids(store)
        assert len(ids) == len(set(ids)) == len(known)
        assert set(ids) == known
    assert len(known) == DPORTAL_ACTIVITIES + 68  # the older snapshot adds 68 activities


def test_verbatim_copies_of_stored_activities_are_unchanged(sqlite_store):
    base = need_shared("data", "real", "dportal-covid19-2021")
    snapshot, extract = base / "saved_data_older_snapshot_only.xml", base / "extracts"
    import_paths(sqlite_store, [snapshot], Settings.load(workers=1))
    shared = set(activity_ids(snapshot)) & set(activity_ids(extract / "XM-DAC-41121_UNHCR.xml"))
    assert shared  # the UNHCR extract copies some blocks of the older snapshot verbatim

    fr = import_paths(sqlite_store, [extract / "XM-DAC-41121_UNHCR.xml"], Settings.load(workers=1))
    fr = fr.files[0]

    assert (fr.unchanged, fr.updated) == (len(shared), 0)
