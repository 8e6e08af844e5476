"""The framework as data: the packaged default, other frameworks, and `tcmap taxonomy`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tcmap.cli import app
from tcmap.errors import ConfigError
from tcmap.taxonomy import available_frameworks, load_framework
from tcmap.taxonomy.loader import _data_dir

from conftest import DATA, need_shared

PACKAGED = _data_dir() / "ilo-spf-2010-15" / "framework.yaml"


def test_packaged_taxonomy_is_exactly_the_shared_spec():
    spec = need_shared("spec", "taxonomy.yaml")
    assert PACKAGED.read_bytes() == spec.read_bytes()


def test_default_framework_has_the_19_outcomes_in_5_groups():
    fw = load_framework()
    assert fw.code == "ilo-spf-2010-15"
    assert list(fw.outcomes.codes) == [f"O{i}" for i in range(1, 20)]
    assert [g.code for g in fw.groups] == ["EMP", "SP", "SD", "FPRW", "PC"]
    assert fw.outcomes.codes["O11"].group == "SD"
    assert set(fw.dimensions) == {"outcomes", "modalities", "capacity_levels", "target_groups"}
    assert "training_of_trainers" in fw.dimension("modalities")
    assert fw.version.startswith("ilo-spf-2010-15@")


def test_codes_match_the_spec_for_every_dimension():
    spec = yaml.safe_load(need_shared("spec", "taxonomy.yaml").read_text())
    fw = load_framework()
    for dim in ("outcomes", "modalities", "capacity_levels", "target_groups"):
        assert list(fw.dimension(dim).codes) == list(spec[dim])


def test_every_outcome_has_approaches_from_the_appendix():
    fw = load_framework()
    for code in fw.outcomes.codes:
        assert fw.approaches_for(code), code
    names = {a.name for a in fw.approaches}
    assert {"Youth employment", "Labour migration", "Social dialogue"} <= names


def test_another_framework_file_loads_with_no_code_change(tmp_path):
    other = tmp_path / "framework.yaml"
    other.write_text((DATA / "framework-biennium.yaml").read_text())
    fw = load_framework(tmp_path)
    assert fw.code == "ilo-pb-2014-15"
    assert len(fw.outcomes) == 3
    assert list(fw.dimension("modalities").codes) == ["training", "peer_learning"]
    assert fw.approaches == ()


def test_sdg_codelist_loads_as_a_framework_of_17_goals():
    path = need_shared("data", "real", "iati-codelists-nonembedded", "xml", "UNSDG-Goals.xml")
    fw = load_framework(path)
    assert len(fw.outcomes) == 17
    assert fw.outcomes.codes["8"].title.startswith("Goal 8.")


def test_unknown_framework_is_a_config_error_with_a_hint():
    with pytest.raises(ConfigError) as err:
        load_framework("no-such-framework")
    assert "ilo-spf-2010-15" in err.value.hint


def test_framework_with_an_undefined_outcome_in_a_group_is_refused(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text((DATA / "framework-bad-group.yaml").read_text())
    with pytest.raises(ConfigError, match="O99"):
        load_framework(bad)


def test_available_frameworks_lists_the_default():
    assert "ilo-spf-2010-15" in available_frameworks()


def test_taxonomy_json_equals_the_library_result():
    result = CliRunner().invoke(app, ["taxonomy", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == load_framework().to_dict()


def test_taxonomy_table_shows_outcomes_and_approaches():
    result = CliRunner().invoke(app, ["taxonomy"])
    assert result.exit_code == 0
    assert "O19" in result.stdout and "Labour migration" in result.stdout


def test_taxonomy_of_another_file_by_path():
    result = CliRunner().invoke(
        app, ["taxonomy", "--json", "-f", str(Path(DATA / "framework-biennium.yaml"))])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["code"] == "ilo-pb-2014-15"
