"""The store: SQLAlchemy models, one module per noun, and opening a database (SQLite or PostgreSQL).

`open_store(url)` makes the engine, brings the schema up to date with the Alembic migrations
and returns a Store whose `session()` opens ORM sessions.
"""

# Modules whose models are imported by their users directly; imported here so that every table
# is known to the metadata (migrations are checked against it).
from tcmap.store import appraisal, assessment, programme, training  # noqa: F401
from tcmap.store.activity import (
    Activity,
    DocumentLink,
    IatiTag,
    Narrative,
    OtherIdentifier,
    ParticipatingOrg,
    PolicyMarker,
    RecipientCountry,
    RecipientRegion,
    RelatedActivity,
    Sector,
)
from tcmap.store.base import Base
from tcmap.store.engine import Store, database_url, open_store
from tcmap.store.finance import Budget, Transaction
from tcmap.store.intervention import ModelSection, ModelSectionEvent
from tcmap.store.result import Indicator, IndicatorBaseline, IndicatorPeriod, Result
from tcmap.store.search import SearchQueue
from tcmap.store.snapshot import Snapshot
from tcmap.store.source import SourceFile
from tcmap.store.tag import Note, Tag
from tcmap.store.user import ApiToken, AuthEvent, User

__all__ = [
    "Activity", "ApiToken", "AuthEvent", "Base", "Budget", "DocumentLink", "IatiTag",
    "Indicator", "IndicatorBaseline", "IndicatorPeriod", "ModelSection", "ModelSectionEvent",
    "Narrative", "Note", "OtherIdentifier",
    "ParticipatingOrg", "PolicyMarker", "RecipientCountry", "RecipientRegion", "RelatedActivity",
    "Result", "SearchQueue", "Sector", "Snapshot", "SourceFile", "Store", "Tag", "Transaction",
    "User",
    "database_url", "open_store",
]
