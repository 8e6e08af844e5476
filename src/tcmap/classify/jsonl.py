"""Label files: one LABELLING.md object per line, read with errors that name the file and line.

A label line looks like

    {"id": "SE-0-SE-6-1234", "world_of_work": true, "outcomes": ["O2", "O1"],
     "primary_outcome": "O2", "capacity_development": true, "modalities": ["training"],
     "capacity_levels": ["individual"], "target_groups": ["final_beneficiaries"],
     "evidence": ["train 40 TVET instructors"]}

Only `id` is required; a missing field reads as false, empty or null wherever it is used.
Fields tcmap does not know are kept as they are.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from tcmap.errors import InputError

# Field -> (accepted Python types, how to describe them in a hint).
LABEL_FIELDS: dict[str, tuple[tuple[type, ...], str]] = {
    "id": ((str,), "a non-empty string"),
    "world_of_work": ((bool,), "true or false"),
    "outcomes": ((list,), "a list of codes such as [\"O2\", \"O1\"]"),
    "primary_outcome": ((str, type(None)), "a code such as \"O2\", or null"),
    "capacity_development": ((bool,), "true or false"),
    "modalities": ((list,), "a list of codes such as [\"training\"]"),
    "capacity_levels": ((list,), "a list of codes such as [\"individual\"]"),
    "target_groups": ((list,), "a list of codes such as [\"government\"]"),
    "evidence": ((list,), "a list of short phrases copied from the text"),
}


def _bad(path: Path, line: int, what: str, hint: str, **context: Any) -> InputError:
    return InputError("bad-label-line", f"{path}, line {line}: {what}", hint,
                      file=str(path), line=line, **context)


def _check(path: Path, line: int, label: Any) -> None:
    """Raise on the first field of the wrong type; list fields must hold strings."""
    if not isinstance(label, dict):
        raise _bad(path, line, f"the line is JSON but not an object ({type(label).__name__}).",
                   "Write one JSON object per line, {\"id\": ..., ...}; no arrays, no "
                   "pretty-printing over several lines.")
    if "id" not in label:
        raise _bad(path, line, "the label has no \"id\".",
                   "Give every label the IATI identifier of its activity as \"id\".")
    ident = label["id"] if isinstance(label["id"], str) else None
    for name, (types, expected) in LABEL_FIELDS.items():
        if name not in label:
            continue
        value = label[name]
        ok = isinstance(value, types) and not (name == "id" and not value.strip())
        if ok and isinstance(value, list):
            ok = all(isinstance(v, str) for v in value)
        if not ok:
            raise _bad(path, line, f"\"{name}\" is {json.dumps(value)[:80]}, not {expected}.",
                       f"Write \"{name}\" as {expected} (see LABELLING.md).",
                       activity=ident, field=name, value=json.dumps(value))


def read_labels(path: str | Path) -> list[dict[str, Any]]:
    """The label objects of a JSONL file in file order; raises InputError naming the bad line."""
    path = Path(path)
    if not path.is_file():
        raise InputError("file-not-found", f"{path}: no such label file.", file=str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError("unreadable-file", f"{path}: {exc}",
                         "Label files are UTF-8 text, one JSON object per line.",
                         file=str(path)) from exc
    labels: list[dict[str, Any]] = []
    first_line: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            label = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise _bad(path, number, f"not JSON ({exc.msg} at column {exc.colno}).",
                       "Each line must be one complete JSON object; check quotes, commas "
                       "and brackets, and that no object is split over several lines.",
                       value=raw) from None
        _check(path, number, label)
        ident = label["id"]
        if ident in first_line:
            raise _bad(path, number,
                       f"the id {ident!r} was already labelled on line {first_line[ident]}.",
                       "Keep one label per activity: remove or merge the duplicate.",
                       activity=ident, field="id", value=ident)
        first_line[ident] = number
        labels.append(label)
    return labels


def write_labels(path_or_stream: str | Path | IO[str], labels: Iterable[dict[str, Any]]) -> int:
    """Write labels as JSONL (UTF-8, one object per line) to a path or text stream; the count."""
    if isinstance(path_or_stream, str | Path):
        with Path(path_or_stream).open("w", encoding="utf-8", newline="\n") as stream:
            return write_labels(stream, labels)
    count = 0
    for label in labels:
        path_or_stream.write(json.dumps(label, ensure_ascii=False) + "\n")
        count += 1
    return count
