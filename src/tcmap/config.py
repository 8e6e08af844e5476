"""Settings, declared once as data; the environment is read here and nowhere else."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True, slots=True)
class Setting:
    """One setting: its name, default, type, help text and (for URLs and secrets) env variable."""

    name: str
    default: Any
    type: type
    help: str
    env: str | None = None


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "database_url",
        "sqlite:///tcmap.db",
        str,
        "Database to use: a SQLAlchemy URL (sqlite:///file.db, postgresql+psycopg://...) "
        "or a path to a SQLite file. The --db option overrides it.",
        env="TCMAP_DATABASE_URL",
    ),
    Setting("framework", "ilo-spf-2010-15", str,
            "Default framework: a packaged framework code or the path to a framework YAML file."),
    Setting("batch_size", 1000, int,
            "Activities written per database transaction during import."),
    Setting("workers", 2, int,
            "Processes that import files, or classify activities, at the same time (1: all "
            "in the calling process)."),
    Setting("max_file_mb", 4096, int,
            "Largest input accepted, in MB after decompression; larger files are refused."),
    Setting("max_activity_mb", 16, int,
            "Largest single activity accepted, in MB of XML; a larger one is refused."),
    Setting("max_problems_per_file", 1000, int,
            "Problems kept per file in a report; further ones are counted, not listed."),
    Setting("secret_key", "", str,
            "Key that signs web sessions; set it so sessions survive a restart of tcmap serve "
            "(without it a random key is made at each start).", env="TCMAP_SECRET_KEY"),
    Setting("page_memo", 512, int,
            "Web pages (portfolio, activity, matrix) each server process keeps in memory until "
            "the data change; 0 builds every page afresh."),
)


@dataclass(slots=True)
class Settings:
    """The effective settings: defaults, then the environment, then explicit overrides."""

    database_url: str = "sqlite:///tcmap.db"
    framework: str = "ilo-spf-2010-15"
    batch_size: int = 1000
    workers: int = 2
    max_file_mb: int = 4096
    max_activity_mb: int = 16
    max_problems_per_file: int = 1000
    secret_key: str = ""
    page_memo: int = 512
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, **overrides: Any) -> Settings:
        """Defaults, overridden by TCMAP_* variables, overridden by non-None keyword values."""
        values: dict[str, Any] = {}
        for s in SETTINGS:
            values[s.name] = s.default
            env_name = s.env or f"TCMAP_{s.name.upper()}"
            if env_name in os.environ:
                values[s.name] = s.type(os.environ[env_name])
        for name, value in overrides.items():
            if value is not None:
                values[name] = value
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "extra"}
