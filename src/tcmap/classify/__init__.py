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

__all__ = ["Classifier", "Document", "Labels", "from_activity", "from_record",
           "iter_labels", "label_paths", "load_classifier"]


def iter_labels(paths: Iterable[Path | str], framework: str | None = None,
                mode: str = "default") -> Iterator[dict[str, Any]]:
    """LABELLING.md objects for every activity with an identifier in the IATI files."""
    from tcmap.iati.reader import IatiFile

    clf = load_classifier(framework, mode)
    for path in paths:
        path = Path(path)
        files = sorted(p for p in path.rglob("*.xml*")) if path.is_dir() else [path]
        for f in files:
            for rec in IatiFile(f, str(f)):
                if rec.identifier:
                    yield clf.classify(from_record(rec, clf.detect_language)).to_labelling()


def label_paths(paths: Iterable[Path | str], framework: str | None = None,
                mode: str = "default") -> list[dict[str, Any]]:
    """The labels of every activity in the files, as a list."""
    return list(iter_labels(paths, framework, mode))
