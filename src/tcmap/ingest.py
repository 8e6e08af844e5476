"""Import IATI XML and spreadsheets into the store, idempotently, with a report of problems.

Each file is read as a stream; accepted activities are written in batches, each batch its own
transaction, so an interrupted import leaves whole activities only and re-running completes
it. Importing a file again reports its activities as unchanged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError

from tcmap.config import Settings
from tcmap.errors import InputError, Problem
from tcmap.iati.reader import IatiFile
from tcmap.store import SourceFile, Store
from tcmap.store.base import utcnow
from tcmap.store.bulk import prepare_parts, write_batch

XML_SUFFIXES = (".xml", ".xml.gz", ".gz")
SHEET_SUFFIXES = (".csv", ".xlsx")
Progress = Callable[[int], None]


@dataclass
class FileReport:
    """What happened to one file."""

    path: str
    kind: str = "iati-xml"
    version: str | None = None
    activities: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    refused: bool = False
    incomplete: bool = False  # the file broke off after some activities
    problems: list[Problem] = field(default_factory=list)
    problems_not_listed: int = 0

    @property
    def status(self) -> str:
        if self.refused:
            return "refused"
        if self.incomplete:
            return "incomplete"
        if self.inserted or self.updated:
            return "imported"
        return "unchanged" if self.unchanged else "empty"

    def add_problem(self, problem: Problem, cap: int) -> None:
        if len(self.problems) < cap:
            self.problems.append(problem)
        else:
            self.problems_not_listed += 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path, "kind": self.kind, "version": self.version,
            "status": self.status, "activities": self.activities, "inserted": self.inserted,
            "updated": self.updated, "unchanged": self.unchanged, "rejected": self.rejected,
            "problems": [p.to_dict() for p in self.problems],
            "problems_not_listed": self.problems_not_listed,
        }


@dataclass
class ImportReport:
    """What happened to every file of an import."""

    files: list[FileReport] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(getattr(f, name) for f in self.files)

    @property
    def ok(self) -> bool:
        """True when nothing was rejected, refused or cut short (warnings allowed)."""
        return not any(f.refused or f.rejected or f.incomplete for f in self.files)

    def problem_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for f in self.files:
            for p in f.problems:
                counts[p.code] = counts.get(p.code, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def to_dict(self) -> dict[str, Any]:
        totals = {k: self.total(k) for k in
                  ("activities", "inserted", "updated", "unchanged", "rejected")}
        totals["files"] = len(self.files)
        totals["refused_files"] = sum(f.refused for f in self.files)
        totals["problems"] = sum(len(f.problems) + f.problems_not_listed for f in self.files)
        return {"ok": self.ok, "totals": totals, "problem_counts": self.problem_counts(),
                "files": [f.to_dict() for f in self.files]}


def kind_of(path: Path) -> str | None:
    """'iati-xml', 'csv' or 'xlsx' by the file's name, or None."""
    name = path.name.lower()
    if name.endswith(XML_SUFFIXES):
        return "iati-xml"
    if name.endswith(SHEET_SUFFIXES):
        return name.rsplit(".", 1)[1]
    return None


def expand(paths: Iterable[str | Path], report: ImportReport) -> Iterator[Path]:
    """Files named, or found recursively in folders; a named file tcmap cannot use is a problem."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and kind_of(p))
        elif not path.exists():
            _refuse(report, path, Problem.make("file-not-found", file=str(path)))
        elif kind_of(path) is None:
            _refuse(report, path, Problem.make("unsupported-file-type", file=str(path)))
        else:
            yield path


def _refuse(report: ImportReport, path: Path, problem: Problem, kind: str = "?") -> FileReport:
    fr = FileReport(path=str(path), kind=kind, refused=True, problems=[problem])
    report.files.append(fr)
    return fr


def checksum(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def open_reader(path: Path, kind: str, settings: Settings):
    """The reader for a file: an iterable of activity records with .problems and .version."""
    if kind == "iati-xml":
        return IatiFile(path, str(path), max_file_mb=settings.max_file_mb,
                        max_activity_mb=settings.max_activity_mb)
    from tcmap.tabular.reader import SheetFile

    return SheetFile(path, str(path), framework=settings.framework)


def import_paths(
    store: Store, paths: Iterable[str | Path], settings: Settings | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import every file named or found in the folders given; never raises on bad input.

    Several files are read by `settings.workers` processes at once, each writing its own
    batches; one file, or an in-memory database, is imported in this process.
    """
    settings = settings or Settings.load()
    report = ImportReport()
    files = list(expand(paths, report))
    if settings.workers > 1 and len(files) > 1 and store.shareable:
        from tcmap.parallel import import_in_workers

        report.files.extend(import_in_workers(store, files, settings, progress))
    else:
        report.files.extend(import_file(store, path, settings, progress) for path in files)
    return report


def import_file(
    store: Store, path: Path, settings: Settings, progress: Progress | None = None,
    write_lock: AbstractContextManager | None = None,
) -> FileReport:
    """Import one file; `write_lock` (from parallel imports) is held around each batch."""
    kind = kind_of(path) or "iati-xml"
    fr = FileReport(path=str(path), kind=kind)
    cap = settings.max_problems_per_file
    try:
        sha, size = checksum(path)
    except OSError as exc:
        fr.refused = True
        fr.add_problem(Problem.make("unreadable-file", file=str(path),
                                    message=f"Cannot read the file: {exc}"), cap)
        return fr
    if size > settings.max_file_mb * 2**20:
        fr.refused = True
        fr.add_problem(Problem.make(
            "oversized-input", file=str(path),
            message=f"The file is larger than {settings.max_file_mb} MB.",
            hint="Split the file, or raise the max_file_mb setting (TCMAP_MAX_FILE_MB)."), cap)
        return fr
    with write_lock or nullcontext():
        source_id = _source_file(store, path, sha, size, kind)
    try:
        reader = open_reader(path, kind, settings)
    except InputError as exc:
        fr.refused = True
        fr.add_problem(exc.to_problem(), cap)
        return fr
    batch = []
    for rec in reader:
        fr.activities += 1
        for p in rec.problems:
            fr.add_problem(p, cap)
        if rec.rejected:
            fr.rejected += 1
            continue
        batch.append(rec)
        if len(batch) >= settings.batch_size:
            _flush(store, batch, source_id, fr, kind, progress, write_lock)
    _flush(store, batch, source_id, fr, kind, progress, write_lock)
    fr.version = getattr(reader, "version", None)
    for p in reader.problems:
        fr.add_problem(p, cap)
    file_errors = any(p.is_error for p in reader.problems)
    fr.refused = fr.activities == 0 and file_errors
    fr.incomplete = fr.activities > 0 and file_errors
    with write_lock or nullcontext():
        _finish_source(store, source_id, fr)
    return fr


def _flush(store, batch, source_id, fr: FileReport, kind: str, progress, write_lock) -> None:
    if not batch:
        return
    prepared = prepare_parts(batch, store.engine.dialect.name)
    for attempt in range(3):
        try:
            with write_lock or nullcontext(), store.engine.begin() as conn:
                res = write_batch(conn, batch, source_id, utcnow(),
                                  origin="iati" if kind == "iati-xml" else "sheet",
                                  prepared=prepared)
            break
        except IntegrityError as exc:
            # Another process inserted one of these identifiers since we looked: look again.
            if attempt == 2:
                return _refused_batch(batch, fr, exc)
        except (DataError, DBAPIError) as exc:
            return _refused_batch(batch, fr, exc)
    fr.inserted += res.inserted
    fr.updated += res.updated
    fr.unchanged += res.unchanged
    if progress:
        progress(len(batch))
    batch.clear()


_SOURCE = SourceFile.__table__


def _refused_batch(batch: list, fr: FileReport, exc: Exception) -> None:
    """The database refused the batch: nothing of it is stored, and the report says so."""
    fr.rejected += len(batch)
    first, last = batch[0], batch[-1]
    fr.problems.append(Problem.make(
        "database-error", file=fr.path, line=first.line, activity=first.identifier,
        message=f"The database refused {len(batch)} activities ({first.identifier} ... "
        f"{last.identifier}): {getattr(exc, 'orig', exc)}".strip()))
    batch.clear()


def _source_file(store: Store, path: Path, sha: str, size: int, kind: str) -> int:
    """The id of the file's SourceFile row (made if new), marked as being imported."""
    now = utcnow()
    with store.engine.begin() as conn:
        found = conn.execute(
            select(_SOURCE.c.id).where(_SOURCE.c.path == str(path), _SOURCE.c.sha256 == sha)
        ).scalar()
        if found is None:
            return conn.execute(
                insert(_SOURCE).returning(_SOURCE.c.id),
                {"path": str(path), "name": path.name, "sha256": sha, "size": size,
                 "kind": kind, "status": "running", "first_imported_at": now,
                 "imported_at": now},
            ).scalar_one()
        conn.execute(update(_SOURCE).where(_SOURCE.c.id == found)
                     .values(status="running", imported_at=now))
        return found


def _finish_source(store: Store, source_id: int, fr: FileReport) -> None:
    with store.engine.begin() as conn:
        conn.execute(update(_SOURCE).where(_SOURCE.c.id == source_id).values(
            status=fr.status if fr.status in ("refused", "incomplete") else "complete",
            iati_version=fr.version,
            n_activities=fr.activities, n_inserted=fr.inserted, n_updated=fr.updated,
            n_unchanged=fr.unchanged, n_rejected=fr.rejected,
            n_problems=len(fr.problems) + fr.problems_not_listed,
        ))
