"""The exceptions covet.orm raises, one family for every backend.

Each driver has its own exception classes (``sqlite3.IntegrityError``,
``psycopg.errors.UniqueViolation``, ``pymysql.err.IntegrityError``...). Code
written against CovetPy should not care which database it runs on, so every
backend translates its driver's errors into the classes below and keeps the
original at hand, both as ``error.driver_error`` and as ``__cause__`` (the
traceback shows "The above exception was the direct cause of...").

The tree::

    OrmError
    ├── DatabaseConfigError        a bad URL or setting: fix the configuration
    ├── TransactionError           atomic() used in a way that cannot work
    └── DatabaseError              the database refused a statement
        ├── IntegrityError         unique, not-null, check or foreign-key violation
        └── OperationalError       the database could not do it now (lock, deadlock,
            │                      lost connection, pool exhausted): retrying may work
            └── DatabaseUnavailableError   no connection at all: server down, wrong port

Messages are one line that says what and where, because they end up in logs
and terminals: ``cannot connect to PostgreSQL at 127.0.0.1:1 (database 'app'):
connection refused``.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "OrmError",
    "DatabaseConfigError",
    "TransactionError",
    "DatabaseError",
    "IntegrityError",
    "OperationalError",
    "DatabaseUnavailableError",
    # model layer
    "FieldError",
    "ValidationError",
    "OutOfRangeError",
    "DoesNotExist",
    "MultipleObjectsReturned",
    # relations
    "NotLoadedError",
    "ProtectedError",
    "RestrictedError",
]


class OrmError(Exception):
    """Base class of every exception covet.orm raises on purpose."""


class DatabaseConfigError(OrmError):
    """A database URL or setting that cannot work (the message names it).

    Raised before any connection is attempted: an unknown scheme, a port that
    is not a number, a driver extra that is not installed, an alias that was
    never configured.
    """


class TransactionError(OrmError):
    """A transaction used in a way that cannot work.

    For example a PostgreSQL transaction in which a statement failed (the
    server refuses everything after that until ROLLBACK), or a savepoint
    released out of order.
    """


class DatabaseError(OrmError):
    """The database refused a statement.

    ``driver_error`` is the driver's own exception (also chained as
    ``__cause__``); ``sql`` is the statement that failed, when there was one.
    """

    def __init__(
        self, message: str, *, driver_error: BaseException | None = None, sql: str | None = None
    ) -> None:
        super().__init__(message)
        self.driver_error = driver_error
        self.sql = sql


class IntegrityError(DatabaseError):
    """A constraint refused the data: unique, not null, check or foreign key.

    The same class on SQLite, PostgreSQL and MySQL, so ``except
    IntegrityError`` works everywhere; ``driver_error`` tells the details.
    """


class OperationalError(DatabaseError):
    """The database could not do it now: a lock, a deadlock, a lost connection.

    Unlike a plain :class:`DatabaseError` (bad SQL, a missing table), the same
    statement may succeed if it is tried again later.
    """


class DatabaseUnavailableError(OperationalError):
    """No connection could be made: the message names the backend and host:port
    (or the SQLite file) and the driver's reason, in one line."""


# --- model layer: names, lookups, validation, get() ----------------------------------------


class FieldError(OrmError):
    """A name the model does not have: an unknown field, lookup or annotation.

    The message names the model, the name given and the valid choices, e.g.
    ``User has no field 'agee'; choices are: pk, id, name, email, age``. Raised when
    the query is built (``filter(agee=1)``), before any SQL exists.
    """


class ValidationError(OrmError):
    """A value a field does not accept (raised before anything is sent to the database).

    ``field`` names the field (the first one, when several failed); ``errors`` maps each
    failing field to its messages.
    """

    def __init__(
        self, message: str, *, field: str | None = None, errors: dict[str, list[str]] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors = errors if errors is not None else ({field: [message]} if field else {})

    @classmethod
    def from_problems(cls, model: str, problems: dict[str, list[str]]) -> ValidationError:
        """One error for every failing field of a ``model`` instance."""
        lines = "; ".join(message for messages in problems.values() for message in messages)
        return cls(f"{model} is not valid: {lines}", field=next(iter(problems)), errors=problems)


class OutOfRangeError(ValidationError):
    """A whole number past its field's range (``IntegerField``: 32 bits; ``BigIntegerField``: 64).

    Saving it is an error like any other ValidationError. Compared with a column of that
    field it is no error at all: no row can hold it, so ``get(pk=10**23)`` finds nothing
    and ``filter(n__lt=10**23)`` every row with a value (``lookups.py``). ``limit`` is the
    bound it passed; ``above`` says which one.
    """

    def __init__(self, message: str, *, field: str, limit: int, above: bool) -> None:
        super().__init__(message, field=field)
        self.limit = limit
        self.above = above


class DoesNotExist(OrmError):
    """``get()`` found no row. Each model has its own subclass: ``User.DoesNotExist``."""


class MultipleObjectsReturned(OrmError):
    """``get()`` found more than one row. Per model too: ``User.MultipleObjectsReturned``."""


# --- relations: loading and deleting ------------------------------------------------------


class NotLoadedError(OrmError):
    """A relation was read that no query loaded: CovetPy never runs a hidden query for it.

    The message says the three ways to load it: ``select_related(...)`` or
    ``prefetch_related(...)`` on the query, or ``await obj.relation.fetch()`` (one query).
    """


class ProtectedError(OrmError):
    """A delete refused because rows point at the deleted ones with ``on_delete=PROTECT``.

    ``objects`` holds (up to 20 of) the referencing instances; nothing was deleted.
    """

    def __init__(self, message: str, objects: list[Any]) -> None:
        super().__init__(message)
        self.objects = objects


class RestrictedError(ProtectedError):
    """The same refusal for ``on_delete=RESTRICT`` (see the README's relations decisions)."""
