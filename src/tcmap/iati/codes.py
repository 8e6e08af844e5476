"""IATI codelists (as packaged CSV) and the 1.0x → 2.0x code maps (version1.yaml)."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

from tcmap import yamlfile

_DIR = resources.files("tcmap.iati").joinpath("codelists")


@cache
def codelist(name: str) -> dict[str, str]:
    """Code → English name of an IATI codelist, e.g. codelist('Sector')['16020']."""
    with _DIR.joinpath(f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return {row["code"]: row["name"] for row in csv.DictReader(fh)}


@cache
def version1_maps() -> dict[str, dict[str, str]]:
    """The maps that turn IATI 1.0x text codes into their 2.0x codes."""
    data = yamlfile.load(_DIR.joinpath("version1.yaml").read_text(encoding="utf-8"))
    return {name: {k.lower(): str(v) for k, v in m.items()} for name, m in data.items()}


def normalise(kind: str, code: str | None) -> str | None:
    """The 2.0x form of a code of the given kind; unknown codes pass through unchanged."""
    if code is None:
        return None
    code = code.strip()
    return version1_maps()[kind].get(code.lower(), code)


def name_of(list_name: str, code: str | None) -> str | None:
    """The readable name of a code, or None."""
    if code is None:
        return None
    return codelist(list_name).get(code)
