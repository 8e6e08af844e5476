"""Map activities onto the framework: outcomes, modalities, capacity levels, target groups.

`label_paths` classifies IATI files directly (no database); `classify_store` classifies every
stored activity and writes Tags, leaving people's decisions alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from tcmap.classify.classifier import Classifier, Labels, load_classifier
from tcmap.classify.document import Document, from_activity, from_record
from tcmap.errors import InputError, Problem

__all__ = ["Classifier", "Document", "Labels", "from_activity", "from_record",
           "iter_labels", "label_paths", "load_classifier"]


def iter_labels(paths: Iterable[Path | str], framework: str | None = None,
                mode: str = "default", problems: list[Problem] | None = None,
                ) -> Iterator[dict[str, Any]]:
    """LABELLING.md objects for every activity with an identifier in the IATI files.

    A path that does not exist raises InputError before anything is labelled. A file that
    cannot be read as IATI XML adds its problems to `problems` and the other files are
    labelled; without a `problems` list, it raises InputError when it is reached.
    """
    paths = [Path(p) for p in paths]
    for path in paths:  # checked now, not when the first label is asked for
        if not path.exists():
            raise InputError("file-not-found", f"No file or folder {str(path)!r}.",
                             file=str(path))
    return _labels(paths, framework, mode, problems)


def _labels(paths: list[Path], framework: str | None, mode: str,
            problems: list[Problem] | None) -> Iterator[dict[str, Any]]:
    from tcmap.iati.reader import IatiFile

    clf = load_classifier(framework, mode)
    for path in paths:
        files = sorted(p for p in path.rglob("*.xml*")) if path.is_dir() else [path]
        for f in files:
            source = IatiFile(f, str(f))
            for rec in source:
                if rec.identifier:
                    yield clf.classify(from_record(rec, clf.detect_language)).to_labelling()
            unread = [p for p in source.problems if p.is_error]
            if unread and problems is None:
                first = unread[0]
                raise InputError(first.code, first.message, first.hint, file=first.file)
            if problems is not None:
                problems.extend(unread)


def label_paths(paths: Iterable[Path | str], framework: str | None = None,
                mode: str = "default") -> list[dict[str, Any]]:
    """The labels of every activity in the files, as a list."""
    return list(iter_labels(paths, framework, mode))
