"""covet.orm: an async ORM on SQLite, PostgreSQL and MySQL/MariaDB.

Reading order, connection layer: ``urls`` -> ``errors`` -> ``backends/base``
-> ``backends/sqlite`` (then ``postgres``, ``mysql``) -> ``database`` ->
``transactions`` -> ``events``. The package README walks through them.

Reading order, model layer (from ``filter(age__gte=18)`` to SQL text): ``fields`` ->
``models`` -> ``manager`` -> ``queryset`` -> ``query`` -> ``expressions`` -> ``lookups``
-> ``compiler`` -> ``dialects``; then ``schema`` (CREATE TABLE) and ``raw``.

Relations: ``relations`` -> ``related`` -> ``query`` (joins) -> ``compiler`` (FROM)
-> ``loading`` -> ``deletion`` -> ``tracking`` (the N+1 guard).
"""

from covet.orm.__about__ import __version__

# --- connection layer: URLs, databases, raw SQL, transactions, events, errors ---
from covet.orm.backends import ExecuteResult
from covet.orm.database import (
    Database,
    close_all,
    configure,
    databases,
    get_database,
    override_database,
)

# --- end of the connection layer ---
# --- model layer: models, fields, queries, expressions, schema ---
from covet.orm.errors import (
    DatabaseConfigError,
    DatabaseError,
    DatabaseUnavailableError,
    DoesNotExist,
    FieldError,
    IntegrityError,
    MultipleObjectsReturned,
    NotLoadedError,
    OperationalError,
    OrmError,
    ProtectedError,
    RestrictedError,
    TransactionError,
    ValidationError,
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
from covet.orm.expressions import Avg, Count, F, Max, Min, Q, Sum, Value
from covet.orm.fields import (
    AutoField,
    BigAutoField,
    BigIntegerField,
    BinaryField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    DecimalField,
    Field,
    FloatField,
    IntegerField,
    JSONField,
    TextField,
    UUIDField,
)
from covet.orm.manager import Manager
from covet.orm.models import Model
from covet.orm.queryset import QuerySet
from covet.orm.raw import RawQuerySet
from covet.orm.related import RelatedRef
from covet.orm.relations import (
    CASCADE,
    PROTECT,
    RESTRICT,
    SET_NULL,
    ForeignKey,
    ManyToManyField,
    OneToOneField,
)
from covet.orm.schema import create_tables, drop_tables
from covet.orm.signals import Signal, post_delete, post_save, pre_delete, pre_save, receiver
from covet.orm.tracking import NPlusOneWarning, set_debug, track_queries
from covet.orm.transactions import atomic
from covet.orm.urls import DatabaseURL, parse_database_url

# --- end of the model layer ---

__all__ = [
    "__version__",
    # --- connection layer ---
    # databases and the registry
    "Database",
    "configure",
    "get_database",
    "override_database",
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
    # --- model layer ---
    # models and fields
    "Model",
    "Field",
    "AutoField",
    "BigAutoField",
    "CharField",
    "TextField",
    "IntegerField",
    "BigIntegerField",
    "FloatField",
    "DecimalField",
    "BooleanField",
    "DateField",
    "DateTimeField",
    "UUIDField",
    "JSONField",
    "BinaryField",
    # queries
    "Manager",
    "QuerySet",
    "RawQuerySet",
    "Q",
    "F",
    "Value",
    "Count",
    "Sum",
    "Avg",
    "Min",
    "Max",
    # tables (the embedded default and tests; real databases use migrations)
    "create_tables",
    "drop_tables",
    # errors
    "FieldError",
    "ValidationError",
    "DoesNotExist",
    "MultipleObjectsReturned",
    # --- end of the model layer ---
    # --- signals (pydantic schemas: covet.orm.schemas, extra covet-orm[pydantic]) ---
    "Signal",
    "pre_save",
    "post_save",
    "pre_delete",
    "post_delete",
    "receiver",
    # --- end of signals ---
    # --- relations: keys, loading, deletion rules, the N+1 guard ---
    "ForeignKey",
    "OneToOneField",
    "ManyToManyField",
    "CASCADE",
    "SET_NULL",
    "PROTECT",
    "RESTRICT",
    "RelatedRef",
    "NotLoadedError",
    "ProtectedError",
    "RestrictedError",
    "track_queries",
    "set_debug",
    "NPlusOneWarning",
    # --- end of relations ---
]
