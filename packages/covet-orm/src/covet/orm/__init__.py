"""covet.orm: an async ORM on SQLite, PostgreSQL and MySQL/MariaDB.

Reading order, connection layer: ``urls`` -> ``errors`` -> ``backends/base``
-> ``backends/sqlite`` (then ``postgres``, ``mysql``) -> ``database`` ->
``transactions`` -> ``events``. The package README walks through them.
"""

from covet.orm.__about__ import __version__

# --- connection layer: URLs, databases, raw SQL, transactions, events, errors ---
from covet.orm.backends import ExecuteResult
from covet.orm.database import Database, close_all, configure, databases, get_database
from covet.orm.errors import (
    DatabaseConfigError,
    DatabaseError,
    DatabaseUnavailableError,
    IntegrityError,
    OperationalError,
    OrmError,
    TransactionError,
)
from covet.orm.events import (
    QueryEvent,
    QueryStart,
    add_before_query_listener,
    add_query_listener,
    before_query,
    capture_queries,
    on_query,
    remove_before_query_listener,
    remove_query_listener,
)
from covet.orm.transactions import atomic
from covet.orm.urls import DatabaseURL, parse_database_url

# --- end of the connection layer ---

__all__ = [
    "__version__",
    # --- connection layer ---
    # databases and the registry
    "Database",
    "configure",
    "get_database",
    "databases",
    "close_all",
    "DatabaseURL",
    "parse_database_url",
    "ExecuteResult",
    # transactions
    "atomic",
    # query events
    "QueryStart",
    "QueryEvent",
    "on_query",
    "add_query_listener",
    "remove_query_listener",
    "before_query",
    "add_before_query_listener",
    "remove_before_query_listener",
    "capture_queries",
    # errors
    "OrmError",
    "DatabaseConfigError",
    "DatabaseError",
    "IntegrityError",
    "OperationalError",
    "DatabaseUnavailableError",
    "TransactionError",
    # --- end of the connection layer ---
]
