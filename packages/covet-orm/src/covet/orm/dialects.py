"""Dialects: everything that differs between SQLite, PostgreSQL and MySQL/MariaDB, in one place.

The compiler (``compiler.py``) writes SQL that is the same on every database, and asks the
dialect whenever a vendor does something its own way:

- **Identifiers.** ``"users"."age"`` on SQLite and PostgreSQL, `` `users`.`age` `` on MySQL.
  Names are checked against :data:`~covet.orm.escaping.IDENTIFIER` before quoting
  (``escaping.py``, with the escaping of LIKE and GLOB patterns).
- **Placeholders.** Values always travel as bound parameters: ``?`` for sqlite3 ("qmark"),
  ``%s`` for psycopg and PyMySQL ("format").
- **Case rules.** ``contains``, ``startswith``, ``endswith`` and ``exact`` are case-sensitive on
  every database; the ``i...`` lookups compare ``LOWER()`` of both sides. Left to themselves the
  databases disagree: SQLite's ``LIKE`` ignores ASCII case, MySQL's default collations ignore
  case, accents and trailing spaces. So SQLite matches patterns with ``GLOB`` (always
  case-sensitive), and MySQL marks the value ``BINARY`` (a byte-for-byte comparison).
- **LIKE escaping.** A user's ``%`` or ``_`` must match itself, not "anything": it is escaped
  with a backslash and the SQL says ``ESCAPE '\\'`` (MySQL spells that literal ``'\\\\'``).
- **Values.** Booleans, dates, datetimes, UUIDs, decimals and JSON are stored as each vendor
  can: SQLite has no date, UUID or JSON type, so they are text there.
- **DDL.** Column types for ``CREATE TABLE`` (``schema.py``).
- **RETURNING.** PostgreSQL, SQLite >= 3.35 and MariaDB >= 10.5 return the new primary key from
  the INSERT itself; MySQL reports it through the driver's ``lastrowid``.

A dialect is a plain object: compiling needs no database (``QuerySet.sql(dialect)``), which is
how the compile tests check every vendor's SQL text. :func:`dialect_for` picks the dialect of a
connected :class:`~covet.orm.database.Database`.
"""

from __future__ import annotations

import datetime
import decimal
import json
import re
import sqlite3
import uuid
import weakref
from typing import TYPE_CHECKING, Any, ClassVar

from covet.orm.errors import FieldError
from covet.orm.escaping import IDENTIFIER, check_identifier, escape_glob, escape_like, wrap_pattern

if TYPE_CHECKING:
    from collections.abc import Sequence

    from covet.orm.database import Database
    from covet.orm.fields import Field

__all__ = [
    "IDENTIFIER",
    "Dialect",
    "MariaDBDialect",
    "MySQLDialect",
    "PostgreSQLDialect",
    "SQLiteDialect",
    "check_identifier",
    "dialect_for",
    "dialect_for_vendor",
]

UTC = datetime.UTC

SQL = tuple[str, list[Any]]


class Dialect:
    """The SQL a vendor needs, as small methods the compiler calls. Subclass per vendor."""

    vendor: ClassVar[str]
    paramstyle: ClassVar[str]
    #: Does ``INSERT ... RETURNING`` work? If not, the driver's ``lastrowid`` gives the new key.
    supports_returning: bool = True
    #: The most bound values one statement may carry: bulk_create() fills its INSERTs up to
    #: it, since fewer, longer statements cost less than many short ones (each is a trip to
    #: the driver and a statement to parse). 999 was SQLite's limit before 3.32, a safe floor.
    max_params: ClassVar[int] = 999
    #: The ``ESCAPE`` clause of a LIKE, as this vendor spells a one-backslash string literal.
    like_escape: ClassVar[str] = " ESCAPE '\\'"
    #: ``FOR UPDATE`` where row locks exist.
    for_update_sql: ClassVar[str] = " FOR UPDATE"
    #: SQL column type for each field class (see :meth:`column_type`).
    column_types: ClassVar[dict[str, str]]
    #: What follows ``PRIMARY KEY`` for an auto-incrementing key column.
    autoincrement_sql: ClassVar[str]
    #: What asks for the plan of a query (``QuerySet.explain()``).
    explain_prefix: ClassVar[str] = "EXPLAIN"

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    # --- identifiers and placeholders -----------------------------------------------------

    def quote(self, name: str) -> str:
        """Quote a (validated) identifier: ``age`` -> ``"age"``."""
        check_identifier(name)
        return f'"{name}"'

    #: Indexes are declared inside CREATE TABLE (MySQL: it has no CREATE INDEX IF NOT EXISTS).
    indexes_in_create_table: ClassVar[bool] = False
    #: The marker a bound parameter takes in SQL text (``?`` on SQLite).
    placeholder: ClassVar[str] = "%s"

    # --- comparisons and patterns ----------------------------------------------------------

    def exact_text(self, rhs_sql: str) -> str:
        """Make a text value compare code point for code point (identity on most vendors)."""
        return rhs_sql

    def pattern(self, value: str, kind: str, *, case_sensitive: bool) -> str:
        """The LIKE pattern for ``contains``/``startswith``/``endswith`` of ``value``."""
        return wrap_pattern(escape_like(value), kind, "%")

    def pattern_match(self, lhs_sql: str, rhs_sql: str, *, case_sensitive: bool) -> str:
        """SQL for "``lhs`` matches the pattern ``rhs``" (made by :meth:`pattern`)."""
        if case_sensitive:
            return f"{lhs_sql} LIKE {rhs_sql}{self.like_escape}"
        return f"LOWER({lhs_sql}) LIKE LOWER({rhs_sql}){self.like_escape}"

    def iexact(self, lhs_sql: str, rhs_sql: str) -> str:
        """SQL for case-insensitive equality: ``LOWER()`` of both sides."""
        return f"LOWER({lhs_sql}) = LOWER({rhs_sql})"

    def default_values_insert(self, table_sql: str, rows: int) -> str:
        """An INSERT of ``rows`` rows whose every column is generated or defaulted."""
        if rows != 1:
            raise FieldError(
                "insert several rows with no columns: not supported; save them one by one"
            )
        return f"INSERT INTO {table_sql} DEFAULT VALUES"

    def limit_offset(self, limit: int | None, offset: int) -> str:
        """``LIMIT``/``OFFSET`` text; the numbers are ints checked by the caller."""
        sql = ""
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        if offset:
            sql += f" OFFSET {int(offset)}"
        return sql

    # --- values: Python -> database ("adapt") and database -> Python ("convert") -----------

    def adapt_bool(self, value: bool) -> Any:
        return value

    def convert_bool(self, value: Any) -> bool:
        return bool(value)

    def adapt_date(self, value: datetime.date) -> Any:
        return value

    def convert_date(self, value: Any) -> datetime.date:
        if isinstance(value, str):
            return datetime.date.fromisoformat(value)
        assert isinstance(value, datetime.date)
        return value

    def adapt_datetime(self, value: datetime.datetime) -> Any:
        """An aware datetime (fields refuse naive ones) as the vendor stores it."""
        return value.astimezone(UTC)

    def convert_datetime(self, value: Any) -> datetime.datetime:
        """Datetimes come back in UTC from every backend, so they compare and print alike."""
        assert isinstance(value, datetime.datetime)
        return value.astimezone(UTC)

    def adapt_uuid(self, value: uuid.UUID) -> Any:
        return str(value)

    def convert_uuid(self, value: Any) -> uuid.UUID:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))

    def adapt_decimal(self, value: decimal.Decimal) -> Any:
        return value

    def convert_decimal(self, value: Any) -> decimal.Decimal:
        return value if isinstance(value, decimal.Decimal) else decimal.Decimal(str(value))

    def adapt_json(self, value: Any) -> Any:
        return json.dumps(value, ensure_ascii=False)

    def convert_json(self, value: Any) -> Any:
        if isinstance(value, bytes | bytearray):
            value = value.decode()
        return json.loads(value)

    # --- DDL ------------------------------------------------------------------------------

    def column_type(self, field: Field) -> str:
        """The column type of ``field``, from :attr:`column_types` filled with its options."""
        template = self.column_types[field.kind]
        return template.format(**field.type_parameters())

    def create_table_suffix(self) -> str:
        """Text after ``CREATE TABLE t (...)``: engine and character set on MySQL."""
        return ""

    def unnest_types(self, fields: Sequence[Field]) -> list[str] | None:
        """Where an INSERT of many rows may send one array per column: each array's type.

        None (every vendor but PostgreSQL): the rows go as ``VALUES (?, ?), (?, ?), ...``.
        """
        return None

    def in_values(self, lhs_sql: str, field: Field, values: list[Any]) -> SQL | None:
        """``lhs IN (...)`` with all of ``values`` (already adapted) in one parameter.

        None (MySQL, and short lists on SQLite): a placeholder per value, ``IN (?, ?, ?)``.
        PyMySQL writes the values into the statement itself, so MySQL has no parameter
        limit to meet; the statement must only fit the server's ``max_allowed_packet``.
        """
        return None


class SQLiteDialect(Dialect):
    """SQLite through the standard library's sqlite3 (driven by aiosqlite)."""

    vendor = "sqlite"
    paramstyle = "qmark"
    placeholder = "?"
    # RETURNING arrived in SQLite 3.35 (2021); older libraries fall back to lastrowid.
    supports_returning = sqlite3.sqlite_version_info >= (3, 35, 0)
    # SQLITE_MAX_VARIABLE_NUMBER is 32766 by default since SQLite 3.32 (2020).
    max_params = 32766 if sqlite3.sqlite_version_info >= (3, 32, 0) else 999
    # SQLite locks the whole database for a writer, so there is no row lock to ask for.
    for_update_sql = ""
    autoincrement_sql = " AUTOINCREMENT"
    explain_prefix = "EXPLAIN QUERY PLAN"
    # Without a date, UUID or JSON type, SQLite keeps them as text. ISO 8601 in UTC with a
    # fixed width sorts in time order, so ORDER BY and gt/lt still work on datetimes.
    column_types: ClassVar[dict[str, str]] = {
        "AutoField": "INTEGER",
        "BigAutoField": "INTEGER",
        "CharField": "VARCHAR({max_length})",
        "TextField": "TEXT",
        "IntegerField": "INTEGER",
        "BigIntegerField": "BIGINT",
        "FloatField": "REAL",
        "DecimalField": "DECIMAL({max_digits}, {decimal_places})",
        "BooleanField": "BOOLEAN",
        "DateField": "TEXT",
        "DateTimeField": "TEXT",
        "UUIDField": "CHAR(36)",
        "JSONField": "TEXT",
        "BinaryField": "BLOB",
    }

    def pattern(self, value: str, kind: str, *, case_sensitive: bool) -> str:
        if not case_sensitive:
            return super().pattern(value, kind, case_sensitive=False)
        # GLOB is SQLite's case-sensitive LIKE: * for %, and no ESCAPE clause.
        return wrap_pattern(escape_glob(value), kind, "*")

    def pattern_match(self, lhs_sql: str, rhs_sql: str, *, case_sensitive: bool) -> str:
        if case_sensitive:
            return f"{lhs_sql} GLOB {rhs_sql}"
        return super().pattern_match(lhs_sql, rhs_sql, case_sensitive=False)

    def limit_offset(self, limit: int | None, offset: int) -> str:
        # SQLite accepts OFFSET only after a LIMIT; -1 means "no limit".
        if offset and limit is None:
            return f" LIMIT -1 OFFSET {int(offset)}"
        return super().limit_offset(limit, offset)

    #: Past this many values, ``in`` sends them as one JSON array (see :meth:`in_values`).
    in_placeholders_max: ClassVar[int] = 999

    def in_values(self, lhs_sql: str, field: Field, values: list[Any]) -> SQL | None:
        # A statement takes at most SQLITE_MAX_VARIABLE_NUMBER parameters (32766 by default,
        # more in some builds); json_each() reads any number of values out of one. Only
        # numbers and text travel as JSON (SQLite keeps dates, UUIDs and decimals as text).
        if len(values) <= self.in_placeholders_max:
            return None
        if not all(type(value) in (int, float, str) for value in values):
            return None
        try:
            text = json.dumps(values, allow_nan=False)
        except ValueError:  # NaN or an infinity: no JSON for it
            return None
        return f"{lhs_sql} IN (SELECT value FROM json_each(?))", [text]

    def adapt_bool(self, value: bool) -> Any:
        return int(value)

    def adapt_date(self, value: datetime.date) -> Any:
        return value.isoformat()

    def adapt_datetime(self, value: datetime.datetime) -> Any:
        return value.astimezone(UTC).isoformat(sep=" ", timespec="microseconds")

    def convert_datetime(self, value: Any) -> datetime.datetime:
        return datetime.datetime.fromisoformat(value).astimezone(UTC)

    def adapt_decimal(self, value: decimal.Decimal) -> Any:
        # sqlite3 cannot bind a Decimal. As text, SQLite keeps it exact when it has more digits
        # than a float holds, and stores it as a number otherwise (so comparisons still work).
        return str(value)


class PostgreSQLDialect(Dialect):
    """PostgreSQL through psycopg 3."""

    vendor = "postgresql"
    paramstyle = "format"
    # The wire protocol counts a statement's parameters in 16 bits.
    max_params = 65535
    autoincrement_sql = ""
    # Text columns use the "C" collation: comparison and ORDER BY by code point, as on SQLite
    # and MySQL (utf8mb4_bin), whatever locale the database was created with.
    column_types: ClassVar[dict[str, str]] = {
        "AutoField": "INTEGER GENERATED BY DEFAULT AS IDENTITY",
        "BigAutoField": "BIGINT GENERATED BY DEFAULT AS IDENTITY",
        "CharField": 'VARCHAR({max_length}) COLLATE "C"',
        "TextField": 'TEXT COLLATE "C"',
        "IntegerField": "INTEGER",
        "BigIntegerField": "BIGINT",
        "FloatField": "DOUBLE PRECISION",
        "DecimalField": "NUMERIC({max_digits}, {decimal_places})",
        "BooleanField": "BOOLEAN",
        "DateField": "DATE",
        "DateTimeField": "TIMESTAMP WITH TIME ZONE",
        "UUIDField": "UUID",
        "JSONField": "JSONB",
        "BinaryField": "BYTEA",
    }

    # LOWER() folds letters by the collation of its argument, and "C" folds ASCII only. The
    # column is "C" but the value is not: both sides are lowered in the database's default
    # collation, so that they fold alike (non-ASCII letters too, as on MySQL).
    def pattern_match(self, lhs_sql: str, rhs_sql: str, *, case_sensitive: bool) -> str:
        if case_sensitive:
            return super().pattern_match(lhs_sql, rhs_sql, case_sensitive=True)
        return f'LOWER({lhs_sql} COLLATE "default") LIKE LOWER({rhs_sql}){self.like_escape}'

    def iexact(self, lhs_sql: str, rhs_sql: str) -> str:
        return f'LOWER({lhs_sql} COLLATE "default") = LOWER({rhs_sql})'

    def adapt_uuid(self, value: uuid.UUID) -> Any:
        return value

    #: The element type of each kind of column's array in :meth:`unnest_types`.
    array_types: ClassVar[dict[str, str]] = {
        "AutoField": "integer",
        "BigAutoField": "bigint",
        "CharField": "text",
        "TextField": "text",
        "IntegerField": "integer",
        "BigIntegerField": "bigint",
        "FloatField": "double precision",
        "DecimalField": "numeric",
        "BooleanField": "boolean",
        "DateField": "date",
        "DateTimeField": "timestamptz",
        "UUIDField": "uuid",
        "JSONField": "jsonb",
        "BinaryField": "bytea",
    }

    def unnest_types(self, fields: Sequence[Field]) -> list[str] | None:
        # ``INSERT INTO t (a, b) SELECT * FROM unnest(%s::text[], %s::integer[])``: three
        # parameters for a thousand rows instead of three thousand, which halves the time
        # of bulk_create's INSERT (the server parses and plans a short statement; psycopg
        # sends three arrays). unnest() yields the elements in array order, so the rows
        # arrive, and RETURNING reports their keys, in the order of the instances, as with
        # VALUES. A field kind not listed here (a custom one) keeps VALUES.
        kinds = [field.db_type_field().kind for field in fields]
        if not all(kind in self.array_types for kind in kinds):
            return None
        return [self.array_types[kind] for kind in kinds]

    def in_values(self, lhs_sql: str, field: Field, values: list[Any]) -> SQL | None:
        # ``"id" = ANY(%s::integer[])``: one array parameter, whatever the number of values
        # (the protocol counts parameters in 16 bits: at most 65535), and one statement text
        # for any list, so the server plans it once.
        array_type = self.array_types.get(field.db_type_field().kind)
        if array_type is None:  # a custom field kind: placeholders
            return None
        return f"{lhs_sql} = ANY({self.placeholder}::{array_type}[])", [values]

    def convert_json(self, value: Any) -> Any:
        # psycopg already parses json/jsonb columns into Python values.
        return value


class MySQLDialect(Dialect):
    """MySQL through PyMySQL/aiomysql (MariaDB before 10.5 too)."""

    vendor = "mysql"
    paramstyle = "format"
    indexes_in_create_table = True
    supports_returning = False
    # MySQL reads a backslash inside a string literal as an escape, so one backslash is '\\'.
    like_escape = " ESCAPE '\\\\'"
    autoincrement_sql = " AUTO_INCREMENT"
    column_types: ClassVar[dict[str, str]] = {
        "AutoField": "INTEGER",
        "BigAutoField": "BIGINT",
        "CharField": "VARCHAR({max_length}) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
        "TextField": "LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
        "IntegerField": "INTEGER",
        "BigIntegerField": "BIGINT",
        "FloatField": "DOUBLE",
        "DecimalField": "DECIMAL({max_digits}, {decimal_places})",
        "BooleanField": "BOOLEAN",
        "DateField": "DATE",
        "DateTimeField": "DATETIME(6)",
        "UUIDField": "CHAR(36)",
        "JSONField": "JSON",
        "BinaryField": "LONGBLOB",
    }

    def quote(self, name: str) -> str:
        check_identifier(name)
        return f"`{name}`"

    def exact_text(self, rhs_sql: str) -> str:
        # Compared with a BINARY string, text compares byte for byte: case, accents and
        # trailing spaces all count, as on SQLite and PostgreSQL.
        return f"BINARY {rhs_sql}"

    def pattern_match(self, lhs_sql: str, rhs_sql: str, *, case_sensitive: bool) -> str:
        if case_sensitive:
            return f"{lhs_sql} LIKE BINARY {rhs_sql}{self.like_escape}"
        # LOWER() first (it does nothing to a binary string), then compare bytes, so that
        # "e" does not match "é" as the default collation would have it.
        return f"LOWER({lhs_sql}) LIKE BINARY LOWER({rhs_sql}){self.like_escape}"

    def iexact(self, lhs_sql: str, rhs_sql: str) -> str:
        return f"LOWER({lhs_sql}) = BINARY LOWER({rhs_sql})"

    def default_values_insert(self, table_sql: str, rows: int) -> str:
        # MySQL spells it "() VALUES ()", and takes several rows of it.
        return f"INSERT INTO {table_sql} () VALUES {', '.join(['()'] * rows)}"

    def limit_offset(self, limit: int | None, offset: int) -> str:
        # MySQL has no "OFFSET without LIMIT"; its manual suggests the largest BIGINT UNSIGNED.
        if offset and limit is None:
            return f" LIMIT 18446744073709551615 OFFSET {int(offset)}"
        return super().limit_offset(limit, offset)

    def adapt_bool(self, value: bool) -> Any:
        return int(value)

    def adapt_datetime(self, value: datetime.datetime) -> Any:
        # DATETIME has no time zone: store UTC wall-clock time, read it back as UTC.
        return value.astimezone(UTC).replace(tzinfo=None)

    def convert_datetime(self, value: Any) -> datetime.datetime:
        assert isinstance(value, datetime.datetime)
        return value.replace(tzinfo=UTC)

    def create_table_suffix(self) -> str:
        return " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"


class MariaDBDialect(MySQLDialect):
    """MariaDB >= 10.5: MySQL's SQL, plus ``INSERT ... RETURNING``."""

    supports_returning = True


# One dialect per connected Database (MySQL needs a look at the server version first).
_dialects: weakref.WeakKeyDictionary[Database, Dialect] = weakref.WeakKeyDictionary()

_BY_VENDOR: dict[str, type[Dialect]] = {
    "sqlite": SQLiteDialect,
    "postgresql": PostgreSQLDialect,
    "mysql": MySQLDialect,
}


def mysql_dialect_for_version(version: str) -> MySQLDialect:
    """``SELECT VERSION()`` text -> the dialect: MariaDB >= 10.5 gets RETURNING."""
    match = re.match(r"(\d+)\.(\d+)", version)
    numbers = (int(match.group(1)), int(match.group(2))) if match else (0, 0)
    if "mariadb" in version.lower() and numbers >= (10, 5):
        return MariaDBDialect()
    return MySQLDialect()


def dialect_for_vendor(vendor: str) -> Dialect:
    """The dialect of ``sqlite``, ``postgresql`` or ``mysql`` with no connection (MySQL's,
    not MariaDB's: without a server there is no version to tell them apart)."""
    return _BY_VENDOR[vendor]()


async def dialect_for(database: Database) -> Dialect:
    """The dialect of ``database``, looked up once and remembered."""
    dialect = _dialects.get(database)
    if dialect is None:
        if database.vendor == "mysql":
            row = await database.fetch_one("SELECT VERSION()")
            dialect = mysql_dialect_for_version(str(row[0]) if row else "")
        else:
            dialect = dialect_for_vendor(database.vendor)
        _dialects[database] = dialect
    return dialect
