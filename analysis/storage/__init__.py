"""Durable storage of survey responses: SQLite by default, PostgreSQL for shared deployments."""

from analysis.storage.db import StoreUnavailable, database_url, make_engine
from analysis.storage.store import (
    DraftNotFound,
    ResponseStore,
    StoredResponse,
    TokenNotFound,
    open_store,
)

__all__ = [
    "DraftNotFound",
    "ResponseStore",
    "StoreUnavailable",
    "StoredResponse",
    "TokenNotFound",
    "database_url",
    "make_engine",
    "open_store",
]
