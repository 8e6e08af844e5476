"""Open a database: make the engine, apply migrations, hand out sessions."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from tcmap.errors import ConfigError, StoreError
from tcmap.store import jsontext

MIGRATIONS = Path(__file__).with_name("migrations")


def database_url(value: str) -> str:
    """A SQLAlchemy URL from a URL or a path to a SQLite file."""
    if "://" in value:
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            # psycopg 3 is the driver tcmap installs; plain URLs would ask for psycopg2.
            value = "postgresql+psycopg://" + value.split("://", 1)[1]
        return value
    if not value:
        raise ConfigError("The database is empty.", hint="Give --db a path or a URL.")
    return f"sqlite:///{Path(value).expanduser()}"


# Part rows go straight to the driver (store/bulk.py); on SQLite a date is stored as ISO text,
# the form SQLAlchemy's Date type reads back. Registered explicitly: Python 3.12 deprecates the
# driver's implicit default.
sqlite3.register_adapter(date, date.isoformat)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=60000")
    cur.execute("PRAGMA cache_size=-65536")  # 64 MB: bulk imports maintain several indexes
    cur.execute("PRAGMA wal_autocheckpoint=8192")  # fewer checkpoint fsyncs during imports
    cur.close()


def make_engine(url: str) -> Engine:
    """An engine for the URL, with SQLite set up for safe concurrent use."""
    url = database_url(url)
    try:
        engine = create_engine(url, future=True, json_serializer=jsontext.dumps,
                               json_deserializer=jsontext.loads)
    except (ImportError, ModuleNotFoundError) as exc:
        raise ConfigError(
            f"The database driver for {url.split(':', 1)[0]} is not installed ({exc}).",
            hint="For PostgreSQL install the extra: pip install 'tcmap[postgres]'.",
        ) from None
    except SQLAlchemyError as exc:
        raise ConfigError(
            f"Cannot use the database URL {url!r}: {exc}",
            hint="Use sqlite:///file.db or postgresql+psycopg://user@host/db.",
        ) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")
    except OperationalError as exc:
        raise StoreError(
            f"Cannot open the database: {exc.orig}",
            hint="Check the --db path or TCMAP_DATABASE_URL, and that the server is running.",
        ) from None


@dataclass
class Store:
    """An open database."""

    engine: Engine
    sessionmaker: sessionmaker[Session]

    @property
    def url(self) -> str:
        """The URL to show people: the password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def connect_url(self) -> str:
        """The URL another process can open."""
        return self.engine.url.render_as_string(hide_password=False)

    @property
    def shareable(self) -> bool:
        """True when other processes can open this database (not an in-memory SQLite)."""
        url = self.engine.url
        return not (url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"))

    def session(self) -> Session:
        return self.sessionmaker()

    def tables(self) -> list[str]:
        return sorted(inspect(self.engine).get_table_names())

    def close(self) -> None:
        self.engine.dispose()


def open_store(url: str, *, migrate: bool = True) -> Store:
    """Open the database at the URL (or SQLite path), migrating it to the current schema."""
    engine = make_engine(url)
    if migrate:
        upgrade(engine)
    return Store(engine, sessionmaker(engine, expire_on_commit=False))
