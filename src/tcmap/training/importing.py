"""Import training events, participants and survey responses from CSV or XLSX files.

`import_training(store, paths, by=...)` reads every file, checks every row and stores the
rows that pass in one transaction, then returns a report: counts per sheet and a capped list of
problems, each with file, row, column, value and a hint. A rejected row changes nothing that is
stored; re-importing the same files finds every row unchanged. Events are checked first, then
participants (their event must be stored or accepted in the same import), then responses.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from tcmap.errors import Problem
from tcmap.iati.codes import codelist
from tcmap.store import Store
from tcmap.store.training import TrainingImport
from tcmap.taxonomy import Framework, load_framework
from tcmap.training.events import Incoming, Index, save
from tcmap.training.reading import KINDS, Sheet, code_lookup, normal, read_file, sheet_specs
from tcmap.training.surveys import Instrument, load_instrument, read_answer

MAX_PROBLEMS = 500
SINGULAR = {"events": "event", "participants": "participant", "responses": "response"}
_LIMITS = {"event": 100, "participant": 100, "organizer": 200, "activity": 200}


@dataclass
class TrainingImportReport:
    """What an import read, stored and rejected, and why."""

    check: bool = False
    import_id: int | None = None
    files: list[dict[str, Any]] = field(default_factory=list)
    sheets: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no row or file was rejected (warnings allowed)."""
        return not any(p.is_error for p in self.problems)

    def totals(self) -> dict[str, dict[str, int]]:
        out = {k: Counter() for k in KINDS}
        for s in self.sheets:
            out[s["kind"]].update({k: s[k] for k in ("rows", "inserted", "updated",
                                                     "unchanged", "rejected")})
        return {k: {c: v[c] for c in ("rows", "inserted", "updated", "unchanged", "rejected")}
                for k, v in out.items()}

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "check": self.check, "import_id": self.import_id,
            "files": self.files, "sheets": self.sheets, "totals": self.totals(),
            "problem_counts": dict(sorted(Counter(p.code for p in self.problems).items())),
            "problems": [p.to_dict() for p in self.problems[:MAX_PROBLEMS]],
            "problems_not_listed": max(0, len(self.problems) - MAX_PROBLEMS),
        }


class _Checker:
    """Turns rows into Incoming records or problems; remembers what this import accepted."""

    def __init__(self, framework: Framework, instrument: Instrument, index: Index) -> None:
        self.fw, self.instrument, self.index = framework, instrument, index
        self.outcomes = {c.code.lower(): c.code for c in framework.outcomes}
        self.codes = {n: code_lookup(framework, n)
                      for n in ("modality", "sex", "constituent_type")}
        self.timings: dict[str, str] = {}
        for code, t in instrument.timings.items():
            for spelling in (code, t.get("label", code), f"{t.get('months')} months"):
                self.timings[normal(str(spelling))] = code
        self.timings[normal("end of course")] = next(iter(instrument.timings))
        self.accepted: dict[str, dict[tuple[str, ...], str]] = {k: {} for k in SINGULAR.values()}
        self.rejected: dict[str, dict[tuple[str, ...], str]] = {k: {} for k in SINGULAR.values()}
        self.problems: list[Problem] = []

    def problem(self, code: str, file: str, row: int, column: str | None = None,
                value: Any = None, **kw: Any) -> None:
        self.problems.append(Problem.make(code, file=file, row=row, column=column,
                                          value=_text(value) if value is not None else None,
                                          **kw))

    def check(self, sheet: Sheet, n: int, values: dict[str, Any]) -> Incoming | None:
        """The row as an Incoming record, or None (with problems) when it is rejected."""
        kind = SINGULAR[sheet.kind]
        spec = sheet_specs()[sheet.kind]
        before = len(self.problems)
        where = {"file": sheet.file, "row": n}
        for name in spec.required:
            if name not in values:
                self.problem("training-missing-value", column=name, **where, message=(
                    f"The {name} cell is empty; the row was rejected."))
        for name, limit in _LIMITS.items():
            if name in values and len(_text(values[name])) > limit:
                self.problem("training-too-long", column=name, value=values[name], **where)
        if self._errors(before):
            return None
        key = tuple(_text(values[k]) for k in spec.key)
        if kind == "response":
            key = (*key[:2], self.timings.get(normal(key[2]), key[2]))
        inc = getattr(self, f"_{kind}")(values, key, where)
        if inc is None or self._errors(before):
            self.rejected[kind].setdefault(key, f"row {n} of {sheet.file}")
            return None
        first = self.accepted[kind].get(key)
        if first is not None:
            self.problem("training-duplicate-row", column=",".join(spec.key),
                         value="/".join(key), **where, message=(
                             f"The row repeats the key of {first}; it was rejected and the "
                             "earlier row kept."))
            return None
        self.accepted[kind][key] = f"row {n} of {sheet.file}"
        inc.source = f"{sheet.file}:{n}"
        return inc

    def _errors(self, since: int) -> bool:
        return any(p.is_error for p in self.problems[since:])

    def _event(self, v: dict[str, Any], key: tuple[str, ...], where: dict) -> Incoming | None:
        start = self._date(v, "start_date", where)
        end = self._date(v, "end_date", where)
        if start and end and end < start:
            self.problem("training-end-before-start", column="end_date",
                         value=f"{start.isoformat()} to {end.isoformat()}", **where)
        outcome = self.outcomes.get(_text(v["outcome"]).lower())
        if outcome is None:
            self.problem("training-unknown-outcome", column="outcome", value=v["outcome"],
                         **where, message=(f"{_text(v['outcome'])!r} is not an outcome of the "
                                           f"framework {self.fw.code}; the row was rejected."))
        modality = self._code(v, "modality", "training-unknown-modality", where)
        fields = {"title": _text(v["title"]), "start_date": start, "end_date": end,
                  "outcome": outcome, "modality": modality,
                  "organizer": _opt(v, "organizer"), "activity": _opt(v, "activity"),
                  "venue_country": self._country(v, "venue_country", where),
                  "surveys": self._timings(v, "surveys", where)}
        return Incoming("event", key, fields, salt=self.fw.code)

    def _participant(self, v: dict[str, Any], key: tuple[str, ...], where: dict
                     ) -> Incoming | None:
        self._known_event(key[0], where)
        fields = {"sex": self._code(v, "sex", "training-unknown-sex", where),
                  "constituent_type": self._code(v, "constituent_type",
                                                 "training-unknown-constituent-type", where),
                  "organization": _opt(v, "organization"),
                  "country": self._country(v, "country", where),
                  "not_reached": self._timings(v, "not_reached", where)}
        return Incoming("participant", key, fields, salt=self.fw.code)

    def _response(self, v: dict[str, Any], key: tuple[str, ...], where: dict
                  ) -> Incoming | None:
        if key[2] not in self.instrument.timings:
            self.problem("training-unknown-timing", column="timing", value=v["timing"],
                         **where)
        if self._known_event(key[0], where):
            self._known_participant(key[:2], where)
        responded = self._date(v, "responded_on", where) if "responded_on" in v else None
        answers: dict[str, tuple[int | None, str | None]] = {}
        for name, raw in v.items():
            item = self.instrument.items.get(name)
            if item is None or key[2] not in self.instrument.timings:
                continue
            if key[2] not in item.timings:
                self.problem("training-item-not-asked", column=name, value=raw, **where,
                             message=f"{name} is not asked at {key[2]} (only at "
                             f"{', '.join(item.timings)}); the answer was ignored.")
                continue
            try:
                answer = read_answer(item, _text(raw))
            except ValueError as exc:
                self.problem("training-bad-answer", column=name, value=raw, **where,
                             message=f"{exc} The response was rejected.")
                continue
            if answer != (None, None):
                answers[name] = answer
        return Incoming("response", key, {"responded_on": responded}, answers,
                        salt=self.instrument.ref)

    def _known_event(self, code: str, where: dict) -> bool:
        if self.index.has("event", (code,)) or (code,) in self.accepted["event"]:
            return True
        seen = self.rejected["event"].get((code,))
        self.problem("training-unknown-event", column="event", value=code, **where, **(
            {"message": f"The event {code!r} was rejected ({seen}); this row was rejected "
             "with it.", "hint": "Fix the event's row and import all sheets again."}
            if seen else {}))
        return False

    def _known_participant(self, key: tuple[str, ...], where: dict) -> None:
        if self.index.has("participant", key) or key in self.accepted["participant"]:
            return
        seen = self.rejected["participant"].get(key)
        self.problem("training-unknown-participant", column="participant", value=key[1],
                     **where, **({"message": f"The participant {key[1]!r} of {key[0]} was "
                                 f"rejected ({seen}); this response was rejected with it.",
                                 "hint": "Fix the participant's row and import all sheets "
                                 "again."} if seen else {}))

    def _date(self, v: dict[str, Any], name: str, where: dict) -> date | None:
        raw = v.get(name)
        if isinstance(raw, datetime):
            return raw.date()
        if isinstance(raw, date):
            return raw
        text = _text(raw).strip()
        if len(text) > 10 and text[10] in "T ":  # a date-time from an export: keep the day
            text = text[:10]
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.problem("training-bad-date", column=name, value=raw, **where)
            return None

    def _code(self, v: dict[str, Any], name: str, problem: str, where: dict) -> str | None:
        if name not in v:
            return None
        code = self.codes[name].get(normal(_text(v[name])))
        if code is None:
            self.problem(problem, column=name, value=v[name], **where)
        return code

    def _country(self, v: dict[str, Any], name: str, where: dict) -> str | None:
        if name not in v:
            return None
        code = _text(v[name]).strip().upper()
        if len(code) != 2:
            self.problem("unknown-country-code", column=name, value=v[name], **where,
                         message="The country is not a two-letter ISO code; it was left empty.")
            return None
        if code not in codelist("Country"):
            self.problem("unknown-country-code", column=name, value=v[name], **where)
        return code

    def _timings(self, v: dict[str, Any], name: str, where: dict) -> list[str]:
        out: list[str] = []
        for part in _text(v.get(name, "")).replace(",", ";").split(";"):
            if not part.strip():
                continue
            code = self.timings.get(normal(part))
            if code is None:
                self.problem("training-bad-list-value", column=name, value=part.strip(),
                             **where)
            elif code not in out:
                out.append(code)
        return sorted(out, key=list(self.instrument.timings).index)


def _text(v: Any) -> str:
    return v.isoformat() if isinstance(v, date) else str(v)


def _opt(v: dict[str, Any], name: str) -> str | None:
    return _text(v[name]) if name in v else None


def _file_info(path: Path, name: str) -> dict[str, Any]:
    info: dict[str, Any] = {"name": name}
    if path.is_file():
        info["size"] = path.stat().st_size
        info["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return info


def import_training(store: Store, paths: list[Path], by: str,
                    framework: Framework | str | None = None,
                    instrument: Instrument | None = None, names: list[str] | None = None,
                    check: bool = False) -> TrainingImportReport:
    """Import the files (one workbook, or CSV files of any of the three sheets) into the store.

    With check=True nothing is stored: the report says what an import would do. `names` are
    the file names to show in problems (an upload's original names), one per path.
    """
    if not isinstance(framework, Framework):
        framework = load_framework(framework) if framework else load_framework()
    instrument = instrument or load_instrument()
    paths = [Path(p) for p in paths]
    names = names or [str(p) for p in paths]
    report = TrainingImportReport(check=check)
    sheets: list[Sheet] = []
    for path, name in zip(paths, names, strict=True):
        report.files.append(_file_info(path, name))
        sheets += read_file(path, name, instrument, report.problems)
    sheets.sort(key=lambda s: KINDS.index(s.kind))  # events before participants before answers
    with store.session() as session:
        index = Index(session)
        checker = _Checker(framework, instrument, index)
        imp = TrainingImport(by=by, files=report.files, counts={})
        session.add(imp)
        try:
            session.flush()
            for sheet in sheets:
                counts = Counter(rows=len(sheet.rows))
                for n, values in sheet.rows:
                    inc = checker.check(sheet, n, values)
                    if inc is None:
                        counts["rejected"] += 1
                    else:
                        counts[save(session, index, inc, imp, framework.code,
                                    instrument.ref)] += 1
                report.sheets.append({"file": sheet.file, "kind": sheet.kind, **{
                    k: counts[k] for k in ("rows", "inserted", "updated", "unchanged",
                                           "rejected")}})
            report.problems += checker.problems
            imp.counts, imp.n_problems = report.totals(), len(report.problems)
            session.flush()
            if check:
                session.rollback()
            else:
                session.commit()
                report.import_id = imp.id
        except SQLAlchemyError as exc:
            session.rollback()
            report.problems.append(Problem.make(
                "database-error", message=f"The database refused the import; nothing was "
                f"stored ({type(exc).__name__}: {str(exc).splitlines()[0][:300]})."))
    return report
