"""dialects.py: what differs between vendors, checked piece by piece."""

from __future__ import annotations

import datetime
import decimal
import uuid

import pytest

from covet.orm import Database, FieldError
from covet.orm.dialects import (
    MariaDBDialect,
    MySQLDialect,
    PostgreSQLDialect,
    SQLiteDialect,
    check_identifier,
    dialect_for,
    mysql_dialect_for_version,
)
from covet.orm.escaping import escape_glob, escape_like

SQLITE, POSTGRES, MYSQL = SQLiteDialect(), PostgreSQLDialect(), MySQLDialect()
UTC = datetime.UTC


@pytest.mark.parametrize(
    "name", ["users", "_x", "A1_b2", "a" * 63], ids=["plain", "underscore", "mixed", "longest"]
)
def test_plain_identifiers_are_accepted(name: str) -> None:
    assert check_identifier(name) == name


@pytest.mark.parametrize(
    "name",
    ["", "1abc", "a b", 'a"b', "a`b", "a;b", "a--", "é", "a" * 64, "users; DROP TABLE x"],
)
def test_anything_else_is_refused(name: str) -> None:
    with pytest.raises(FieldError, match="invalid identifier"):
        check_identifier(name)
    with pytest.raises(FieldError):
        POSTGRES.quote(name)


def test_quoting_and_placeholders() -> None:
    assert (SQLITE.quote("a"), POSTGRES.quote("a"), MYSQL.quote("a")) == ('"a"', '"a"', "`a`")
    assert (SQLITE.placeholder, POSTGRES.placeholder, MYSQL.placeholder) == ("?", "%s", "%s")
    assert repr(MYSQL) == "MySQLDialect()"


def test_like_and_glob_escaping() -> None:
    assert escape_like("50%_off\\") == "50\\%\\_off\\\\"
    assert escape_glob("a*b?c[d]e") == "a[*]b[?]c[[]d]e"
    assert SQLITE.pattern("a*", "startswith", case_sensitive=True) == "a[*]*"
    assert SQLITE.pattern("a%", "endswith", case_sensitive=False) == "%a\\%"
    assert POSTGRES.pattern("a_", "contains", case_sensitive=True) == "%a\\_%"


def test_limit_and_offset() -> None:
    assert SQLITE.limit_offset(None, 0) == ""
    assert SQLITE.limit_offset(5, 0) == " LIMIT 5"
    assert POSTGRES.limit_offset(5, 10) == " LIMIT 5 OFFSET 10"
    assert POSTGRES.limit_offset(None, 10) == " OFFSET 10"
    assert MYSQL.limit_offset(5, 10) == " LIMIT 5 OFFSET 10"


def test_mysql_or_mariadb_by_version() -> None:
    assert type(mysql_dialect_for_version("10.11.19-MariaDB-0+deb12u1")) is MariaDBDialect
    assert type(mysql_dialect_for_version("10.4.2-MariaDB")) is MySQLDialect
    assert type(mysql_dialect_for_version("8.0.36")) is MySQLDialect
    assert type(mysql_dialect_for_version("")) is MySQLDialect
    assert MariaDBDialect().supports_returning
    assert not MySQLDialect().supports_returning


def test_values_travel_as_each_vendor_stores_them() -> None:
    moment = datetime.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert SQLITE.adapt_datetime(moment) == "2024-01-02 03:04:05.000006+00:00"
    assert SQLITE.convert_datetime("2024-01-02 03:04:05.000006+00:00") == moment
    assert MYSQL.adapt_datetime(moment) == moment.replace(tzinfo=None)
    assert MYSQL.convert_datetime(moment.replace(tzinfo=None)) == moment
    assert POSTGRES.convert_datetime(moment.astimezone(datetime.timezone.max)) == moment
    assert SQLITE.adapt_bool(True) == 1
    assert POSTGRES.adapt_bool(True) is True
    assert MYSQL.convert_bool(0) is False
    token = uuid.uuid4()
    assert SQLITE.adapt_uuid(token) == str(token)
    assert POSTGRES.adapt_uuid(token) is token
    assert MYSQL.convert_uuid(str(token)) == token
    assert SQLITE.adapt_date(datetime.date(2024, 1, 2)) == "2024-01-02"
    assert POSTGRES.convert_date(datetime.date(2024, 1, 2)) == datetime.date(2024, 1, 2)
    assert SQLITE.adapt_decimal(decimal.Decimal("1.10")) == "1.10"
    assert SQLITE.convert_decimal(1.1) == decimal.Decimal("1.1")
    assert MYSQL.adapt_json({"é": [1]}) == '{"é": [1]}'
    assert MYSQL.convert_json(b'{"a": 1}') == {"a": 1}
    assert POSTGRES.convert_json({"a": 1}) == {"a": 1}


async def test_dialect_for_a_database(database: Database, vendor: str) -> None:
    dialect = await dialect_for(database)
    assert dialect.vendor == vendor
    assert await dialect_for(database) is dialect  # looked up once
    if vendor == "mysql":
        row = await database.fetch_one("SELECT VERSION()")
        assert row is not None
        assert type(dialect) is type(mysql_dialect_for_version(str(row[0])))
