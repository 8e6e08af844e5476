"""The exception tree and the Problem type.

    TcmapError                  anything tcmap raises on purpose
     ├── ConfigError            a setting, path or framework file is wrong
     ├── InputError             input that cannot be read at all (turned into a one-problem report)
     ├── NotFoundError          a named record (activity, framework, tag, user) does not exist
     ├── ReviewError            a review names an unknown action, dimension or code
     ├── ConflictError          a decision was made on a stale view of a tag (carries its state)
     ├── StoreError             the database cannot be opened or migrated
     ├── UserError              an account change is refused (bad name, weak password, duplicate)
     └── AuthError              a sign-in or API token is refused (retry_after when throttled)

Checking data never raises: readers yield Problems and keep going. Only unreadable input
raises InputError, and the import turns even that into a report with one problem.
The CLI catches TcmapError once and exits non-zero with the message and hint.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources
from typing import Any

from tcmap import yamlfile


class TcmapError(Exception):
    """Base of every error tcmap raises on purpose; carries a hint for the reader."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class ConfigError(TcmapError):
    """A setting, path or framework file is wrong."""


class InputError(TcmapError):
    """Input that cannot be read at all."""

    def __init__(self, code: str, message: str = "", hint: str = "", **context: Any) -> None:
        spec = problem_catalogue()[code]
        super().__init__(message or spec["message"], hint or spec["hint"])
        self.code = code
        self.context = context

    def to_problem(self) -> Problem:
        """This error as a Problem, for a report."""
        return Problem.make(self.code, message=self.message, hint=self.hint, **self.context)


class NotFoundError(TcmapError):
    """A named record does not exist."""


class ReviewError(TcmapError):
    """A review names an unknown action, dimension or code; the hint lists the valid ones."""


class ConflictError(TcmapError):
    """Someone changed a tag since the reviewer saw it; `current` is the tag as it is now."""

    def __init__(self, message: str, hint: str = "", current: dict[str, Any] | None = None):
        super().__init__(message, hint)
        self.current = current


class StoreError(TcmapError):
    """The database cannot be opened or migrated."""


class UserError(TcmapError):
    """An account change is refused (bad name, weak password, unknown role, duplicate)."""


class AuthError(TcmapError):
    """A sign-in or API token is refused; `retry_after` (seconds) is set when throttled.

    The message never says whether the name or the password was wrong.
    """

    def __init__(self, message: str, hint: str = "", retry_after: int | None = None) -> None:
        super().__init__(message, hint)
        self.retry_after = retry_after


@cache
def problem_catalogue() -> dict[str, dict[str, str]]:
    """Codes, severities, messages and hints of every problem: problems.yaml, then one
    problems-<domain>.yaml per domain (assessment, appraisal, ...); a code may appear once."""
    root = resources.files("tcmap")
    out: dict[str, dict[str, str]] = yamlfile.load(
        root.joinpath("problems.yaml").read_text(encoding="utf-8"))
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.startswith("problems-") and entry.name.endswith(".yaml"):
            more = yamlfile.load(entry.read_text(encoding="utf-8")) or {}
            twice = sorted(set(more) & set(out))
            if twice:
                raise RuntimeError(f"problem codes defined twice: {twice} ({entry.name})")
            out.update(more)
    return out


@dataclass(slots=True)
class Problem:
    """One thing wrong with the input, located as precisely as the input allows."""

    code: str
    severity: str
    message: str
    hint: str
    file: str | None = None
    line: int | None = None
    row: int | None = None
    column: str | None = None
    activity: str | None = None
    field: str | None = None
    value: str | None = None

    @classmethod
    def make(cls, code: str, message: str = "", hint: str = "", **context: Any) -> Problem:
        """A problem of a catalogued code; message and hint default to the catalogue's."""
        spec = problem_catalogue()[code]
        value = context.pop("value", None)
        if value is not None:
            value = str(value)
            if len(value) > 200:
                value = value[:197] + "..."
        return cls(
            code=code,
            severity=spec["severity"],
            message=message or spec["message"],
            hint=hint or spec["hint"],
            value=value,
            **context,
        )

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}
