"""Load a framework from the packaged data, a YAML file, a directory or an IATI codelist."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from lxml import etree

from tcmap import yamlfile
from tcmap.errors import ConfigError
from tcmap.taxonomy.model import Approach, Code, Dimension, Example, Framework, Group

# Top-level keys of a framework file that are not dimensions of codes.
_RESERVED = {"framework", "strategic_objectives", "groups", "outcomes"}
_EXAMPLE_DIMENSIONS = ("modalities", "capacity_levels", "target_groups")


def _data_dir() -> Path:
    return Path(str(resources.files("tcmap.taxonomy").joinpath("data")))


def available_frameworks() -> list[str]:
    """Codes of the frameworks shipped with tcmap."""
    return sorted(p.parent.name for p in _data_dir().glob("*/framework.yaml"))


@lru_cache(maxsize=16)
def load_framework(ref: str | Path = "ilo-spf-2010-15") -> Framework:
    """The framework named by a packaged code, a YAML file, a directory or a codelist XML."""
    path = Path(ref)
    if not path.exists():
        packaged = _data_dir() / str(ref) / "framework.yaml"
        if not packaged.exists():
            raise ConfigError(
                f"No framework {str(ref)!r}: it is neither a packaged framework nor a file.",
                hint=f"Packaged frameworks: {', '.join(available_frameworks())}; "
                "or give the path to a framework YAML file.",
            )
        path = packaged
    if path.is_dir():
        path = path / "framework.yaml"
    if path.suffix.lower() == ".xml":
        return _from_codelist(path)
    raw = path.read_bytes()
    try:
        data = yamlfile.load(raw)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}",
                          hint="Fix the YAML syntax at the line shown.") from None
    approaches_file = path.with_name("approaches.yaml")
    approaches = _load_approaches(approaches_file) if approaches_file.exists() else ()
    return _from_mapping(data, path, raw, approaches)


def _version(code: str, raw: bytes) -> str:
    return f"{code}@{hashlib.sha256(raw).hexdigest()[:12]}"


def _require(data: Any, key: str, path: Path, kind: type) -> Any:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, kind):
        raise ConfigError(
            f"{path}: '{key}' is missing or is not a {kind.__name__}.",
            hint="Compare the file with the packaged ilo-spf-2010-15/framework.yaml.",
        )
    return value


def _from_mapping(
    data: Any, path: Path, raw: bytes, approaches: tuple[Approach, ...]
) -> Framework:
    meta = _require(data, "framework", path, dict)
    code = meta.get("code")
    if not code:
        raise ConfigError(f"{path}: framework.code is missing.",
                          hint="Give the framework a short code such as ilo-spf-2010-15.")
    outcomes = _require(data, "outcomes", path, dict)
    groups_raw = data.get("strategic_objectives") or data.get("groups") or []
    group_of: dict[str, str] = {}
    groups = []
    for g in groups_raw:
        members = tuple(str(o) for o in g.get("outcomes", []))
        for o in members:
            if o not in outcomes:
                raise ConfigError(
                    f"{path}: group {g.get('code')} lists outcome {o}, which is not defined.",
                    hint="Add the outcome under 'outcomes' or remove it from the group.",
                )
            group_of[o] = g["code"]
        groups.append(Group(str(g["code"]), str(g.get("title", g["code"])), members))
    dims = {
        "outcomes": Dimension(
            "outcomes",
            {str(k): Code(str(k), str(v), group_of.get(str(k))) for k, v in outcomes.items()},
        )
    }
    for name, value in data.items():
        if name in _RESERVED or not isinstance(value, dict):
            continue
        dims[name] = Dimension(name, {str(k): Code(str(k), str(v)) for k, v in value.items()})
    framework = Framework(
        code=str(code),
        title=str(meta.get("title", code)),
        version=_version(str(code), raw),
        source=str(path),
        groups=tuple(groups),
        dimensions=dims,
        approaches=approaches,
    )
    _check_approaches(framework, path)
    return framework


def _load_approaches(path: Path) -> tuple[Approach, ...]:
    data = yamlfile.load(path.read_text(encoding="utf-8")) or {}
    out = []
    for a in data.get("approaches", []):
        examples = tuple(
            Example(
                text=str(e["text"]) if isinstance(e, dict) else str(e),
                **{
                    d: tuple(e.get(d) or ()) if isinstance(e, dict) else ()
                    for d in _EXAMPLE_DIMENSIONS
                },
            )
            for e in a.get("examples", [])
        )
        out.append(Approach(str(a["code"]), str(a["outcome"]), str(a["name"]), examples))
    return tuple(out)


def _check_approaches(framework: Framework, path: Path) -> None:
    for a in framework.approaches:
        if a.outcome not in framework.outcomes:
            raise ConfigError(
                f"{path.with_name('approaches.yaml')}: approach {a.code} names outcome "
                f"{a.outcome}, which the framework does not define.",
                hint="Use an outcome code of the framework beside it.",
            )
        for e in a.examples:
            for d in _EXAMPLE_DIMENSIONS:
                if d not in framework.dimensions:
                    continue
                unknown = [c for c in getattr(e, d) if c not in framework.dimensions[d]]
                if unknown:
                    raise ConfigError(
                        f"approaches.yaml: approach {a.code} uses unknown {d} {unknown}.",
                        hint=f"Use codes of '{d}' in the framework file.",
                    )


def _from_codelist(path: Path) -> Framework:
    """An IATI codelist (e.g. UNSDG-Goals.xml) read as a framework of outcomes."""
    raw = path.read_bytes()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as exc:
        raise ConfigError(f"{path} is not well-formed XML: {exc}",
                          hint="Give an IATI codelist XML file.") from None
    name = root.get("name") or path.stem
    codes = {}
    for item in root.iter("codelist-item"):
        code = (item.findtext("code") or "").strip()
        title = item.findtext("name/narrative") or item.findtext("name") or code
        if code:
            codes[code] = Code(code, " ".join(title.split()))
    if not codes:
        raise ConfigError(f"{path} holds no codelist items.",
                          hint="Give an IATI codelist XML file such as UNSDG-Goals.xml.")
    return Framework(
        code=name,
        title=root.findtext("metadata/name/narrative") or name,
        version=_version(name, raw),
        source=str(path),
        groups=(),
        dimensions={"outcomes": Dimension("outcomes", codes)},
    )
