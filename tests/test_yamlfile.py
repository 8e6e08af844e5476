"""YAML data files read with libyaml's parser give what the pure-Python parser gives."""

from pathlib import Path

import pytest
import yaml

from tcmap import yamlfile

SRC = Path(__file__).resolve().parents[1] / "src" / "tcmap"


def test_every_packaged_yaml_file_reads_the_same_as_safe_load():
    files = sorted(SRC.rglob("*.yaml"))
    assert len(files) > 20  # the term lists, taxonomies, checklists, codelists...
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert yamlfile.load(text) == yaml.safe_load(text), path


def test_uses_libyaml_when_pyyaml_has_it():
    if not yaml.__with_libyaml__:
        pytest.skip("this PyYAML was built without libyaml")
    assert yamlfile._LOADER is yaml.CSafeLoader


def test_stays_safe_and_reports_bad_yaml():
    with pytest.raises(yaml.YAMLError):
        yamlfile.load("!!python/object/apply:os.system ['true']")
    with pytest.raises(yaml.YAMLError) as err:
        yamlfile.load("a: [1, 2\nb: 3\n")
    assert err.value.problem_mark is not None  # the line and column for the message
    assert yamlfile.load(b"a: 1\n") == {"a": 1}
