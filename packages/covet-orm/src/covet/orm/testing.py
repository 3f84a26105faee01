"""Throwaway databases on a real server, for test suites.

A test suite that runs against PostgreSQL or MySQL/MariaDB needs a database of its own, so
that it never touches real data and two suites never meet. Given the URL of a server account
allowed to create databases (the "admin URL"), :func:`create_test_database` makes a fresh
``covet_test_<hex>`` database and returns its URL, and :func:`drop_test_database` removes it::

    url = create_test_database("postgresql://postgres@127.0.0.1:5432/test")
    ...                                   # connect to url.render(), run the tests
    drop_test_database(url, admin_url="postgresql://postgres@127.0.0.1:5432/test")

Both are synchronous and use the drivers directly (psycopg, PyMySQL): ``CREATE DATABASE``
cannot run inside a transaction, and a session fixture runs outside any event loop. SQLite
needs none of this: a file in a temporary directory is already a throwaway database.

Between tests, :func:`drop_all_tables` empties a database again (every table and view), so
one session database serves many tests. :class:`ServerDatabases` keeps a test session's
databases: one shared per server, made on first request, more on demand, all dropped at the
end (a conftest wraps it in fixtures and turns :class:`ServerUnavailable` into a skip).

Both destructive functions refuse a database whose name does not start with the test prefix
(``covet_test_`` unless told): a wrong environment variable must fail a test run, not wipe a
real database. Database names are checked as plain identifiers before they reach SQL, and
table names read from the catalogs are quoted with their quote characters escaped.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from covet.orm.dialects import check_identifier
from covet.orm.errors import FieldError
from covet.orm.urls import DatabaseURL, parse_database_url

if TYPE_CHECKING:
    from covet.orm.database import Database

__all__ = [
    "DEFAULT_ADMIN_URLS",
    "SERVER_VARIABLES",
    "admin_urls_from_environment",
    "TEST_PREFIX",
    "ServerDatabases",
    "ServerUnavailable",
    "create_test_database",
    "drop_all_tables",
    "drop_test_database",
]

#: What the name of every database these functions make, empty or drop starts with.
TEST_PREFIX = "covet_test_"

#: The environment variable that gives each server's admin URL to the test suites.
SERVER_VARIABLES = {"postgresql": "COVET_TEST_POSTGRES_URL", "mysql": "COVET_TEST_MYSQL_URL"}

#: The admin URL used when a server's variable is unset: the server at its usual local
#: address, as a fresh machine with PostgreSQL and MariaDB installed has it. The variables
#: override them; set one to the empty string to leave that server out.
DEFAULT_ADMIN_URLS = {
    "postgresql": "postgresql://postgres@127.0.0.1:5432/test",
    "mysql": "mysql://root@127.0.0.1:3306/test",
}


def admin_urls_from_environment() -> dict[str, str | None]:
    """Each server's admin URL: its variable when set, else :data:`DEFAULT_ADMIN_URLS`."""
    return {
        vendor: os.environ.get(name, DEFAULT_ADMIN_URLS[vendor])
        for vendor, name in SERVER_VARIABLES.items()
    }


class ServerUnavailable(Exception):
    """A test database cannot be made on a server: its variable is unset, or it refused."""


class ServerDatabases:
    """The throwaway databases of one test session, on the servers, dropped at its end.

    ``admin_urls`` maps a vendor to its admin URL (default:
    :func:`admin_urls_from_environment`, the local servers unless a variable says otherwise).
    A server that failed once is not asked again in the session. When a database cannot be
    made, ``on_unavailable`` is called with a message saying why (a test suite passes
    ``pytest.skip``); if it returns, :class:`ServerUnavailable` is raised.
    """

    def __init__(
        self,
        admin_urls: Mapping[str, str | None] | None = None,
        *,
        on_unavailable: Callable[[str], object] = lambda message: None,
    ) -> None:
        if admin_urls is None:
            admin_urls = admin_urls_from_environment()
        self.admin_urls = dict(admin_urls)
        self.on_unavailable = on_unavailable
        self.shared: dict[str, DatabaseURL] = {}
        self.unavailable: dict[str, str] = {}
        self.made: list[tuple[str, DatabaseURL]] = []  # (vendor, URL), to drop at the end

    def url_for(self, vendor: str) -> DatabaseURL:
        """This session's shared test database on ``vendor``, made on first request."""
        if vendor not in self.shared:
            self.shared[vendor] = self.create(vendor)
        return self.shared[vendor]

    def create(self, vendor: str) -> DatabaseURL:
        """A new empty test database on ``vendor`` (see ``on_unavailable`` when impossible)."""
        if vendor not in self.unavailable:
            admin_url = self.admin_urls.get(vendor)
            try:
                if not admin_url:
                    raise ServerUnavailable(f"{SERVER_VARIABLES[vendor]} is set to nothing")
                url = create_test_database(admin_url)
            except Exception as error:  # whatever stops us, the reason is reported
                self.unavailable[vendor] = " ".join(str(error).split()) or repr(error)
            else:
                self.made.append((vendor, url))
                return url
        message = f"!!! {vendor} not available: {self.unavailable[vendor]}"
        self.on_unavailable(message)
        raise ServerUnavailable(message)

    def drop_all(self) -> None:
        """Drop every database this session made."""
        for vendor, url in self.made:
            drop_test_database(url, admin_url=str(self.admin_urls[vendor]))
        self.made.clear()
        self.shared.clear()


def _checked_name(name: str | None, prefix: str = TEST_PREFIX) -> str:
    """``name`` if it is a plain identifier starting with ``prefix``; else ValueError."""
    if not prefix or not name or not name.startswith(prefix):
        raise ValueError(
            f"refusing to touch database {name!r}: only test databases, whose names start "
            f"with {prefix or TEST_PREFIX!r}, are made, emptied or dropped here"
        )
    try:
        return check_identifier(name, "database name")
    except FieldError as error:  # reported as what it is here: a bad value
        raise ValueError(str(error)) from None


def create_test_database(admin_url: str | DatabaseURL, *, prefix: str = TEST_PREFIX) -> DatabaseURL:
    """Create an empty database named ``<prefix><8 hex digits>``; return its URL.

    ``admin_url`` names the server and an account that may create databases. Raises the
    driver's error when the server cannot be reached or refuses.
    """
    admin = parse_database_url(admin_url) if isinstance(admin_url, str) else admin_url
    name = _checked_name(f"{prefix}{secrets.token_hex(4)}", prefix)
    if admin.backend == "postgresql":
        _admin_postgres(admin, f'CREATE DATABASE "{name}"')
    elif admin.backend == "mysql":
        _admin_mysql(admin, f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    else:
        raise ValueError(f"test databases are made on a server, not on {admin.backend}")
    return admin.with_database(name)


def drop_test_database(
    url: DatabaseURL, *, admin_url: str | DatabaseURL, prefix: str = TEST_PREFIX
) -> None:
    """Drop the test database ``url`` names (if it exists), disconnecting its sessions first.

    Raises ValueError, touching nothing, unless its name starts with ``prefix``.
    """
    admin = parse_database_url(admin_url) if isinstance(admin_url, str) else admin_url
    name = _checked_name(url.database, prefix)
    if url.backend == "postgresql":
        # Connected to the admin database: one cannot drop the database one is connected to.
        _admin_postgres(
            url.with_database(str(admin.database)),
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        )
    else:
        _admin_mysql(url, f"DROP DATABASE IF EXISTS `{name}`")


async def drop_all_tables(database: Database, *, prefix: str = TEST_PREFIX) -> None:
    """Drop every table and view of the test database ``database`` (PostgreSQL: of its
    current schema, which stays, with its owner and grants), then disconnect it.

    A SQLite test database is a file of its own: it is left alone. On a server, raises
    ValueError, touching nothing, unless the database's name starts with ``prefix``.
    """
    if database.vendor == "sqlite":
        await database.disconnect()
        return
    _checked_name(database.url.database, prefix)
    await database.connect()
    if database.vendor == "postgresql":
        views = await database.fetch_all(
            "SELECT viewname FROM pg_views WHERE schemaname = current_schema()"
        )
        tables = await database.fetch_all(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        )
        for kind, rows in (("VIEW", views), ("TABLE", tables)):
            for (name,) in rows:  # CASCADE: what depends on it goes too
                quoted = _quoted(name, '"')
                await database.execute(f"DROP {kind} IF EXISTS {quoted} CASCADE")
    else:
        # One connection for all of it (atomic() binds one): the SET is per session.
        async with database.atomic():
            rows = await database.fetch_all(
                "SELECT table_name, table_type FROM information_schema.tables"
                " WHERE table_schema = DATABASE()"
            )
            await database.execute("SET FOREIGN_KEY_CHECKS = 0")
            for name, kind in rows:
                what = "VIEW" if kind == "VIEW" else "TABLE"
                await database.execute(f"DROP {what} {_quoted(name, '`')}")
            await database.execute("SET FOREIGN_KEY_CHECKS = 1")
    await database.disconnect()


def _quoted(name: object, mark: str) -> str:
    """A name read from the catalog, quoted with ``mark`` (doubled inside: SQL's escape)."""
    return mark + str(name).replace(mark, mark * 2) + mark


def _admin_postgres(url: DatabaseURL, sql: str) -> None:
    import psycopg

    with psycopg.connect(
        host=url.host,
        port=url.port,
        user=url.user,
        password=url.password,
        dbname=url.database,
        autocommit=True,
        connect_timeout=5,
    ) as connection:
        connection.execute(sql.encode())


def _admin_mysql(url: DatabaseURL, sql: str) -> None:
    import pymysql

    connection = pymysql.connect(
        host=url.host,
        port=url.port or 3306,
        user=url.user or "root",
        password=url.password or "",
        connect_timeout=5,
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()
