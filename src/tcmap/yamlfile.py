"""YAML data files (codelists, taxonomies, term lists, checklists), read safely.

PyYAML's wheels carry libyaml; its parser reads the same documents into the same values ten
times faster than the pure-Python one (the classifier's term lists took 0.6 s to load with
it). Where PyYAML was built without libyaml, the pure-Python parser reads them.
"""

from __future__ import annotations

from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(source: str | bytes | Any) -> Any:
    """The data of a YAML document (text, bytes or an open file), as `yaml.safe_load` reads
    it; raises `yaml.YAMLError` on bad input."""
    return yaml.load(source, Loader=_LOADER)
