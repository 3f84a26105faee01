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
one session database serves many tests.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from covet.orm.urls import DatabaseURL, parse_database_url

if TYPE_CHECKING:
    from covet.orm.database import Database

__all__ = ["create_test_database", "drop_all_tables", "drop_test_database"]


def create_test_database(
    admin_url: str | DatabaseURL, *, prefix: str = "covet_test_"
) -> DatabaseURL:
    """Create an empty database named ``<prefix><8 hex digits>``; return its URL.

    ``admin_url`` names the server and an account that may create databases. Raises the
    driver's error when the server cannot be reached or refuses.
    """
    admin = parse_database_url(admin_url) if isinstance(admin_url, str) else admin_url
    name = f"{prefix}{secrets.token_hex(4)}"
    if admin.backend == "postgresql":
        _admin_postgres(admin, f'CREATE DATABASE "{name}"')
    elif admin.backend == "mysql":
        _admin_mysql(admin, f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    else:
        raise ValueError(f"test databases are made on a server, not on {admin.backend}")
    return admin.with_database(name)


def drop_test_database(url: DatabaseURL, *, admin_url: str | DatabaseURL) -> None:
    """Drop the database ``url`` names (if it exists), disconnecting its sessions first."""
    admin = parse_database_url(admin_url) if isinstance(admin_url, str) else admin_url
    if url.backend == "postgresql":
        # Connected to the admin database: one cannot drop the database one is connected to.
        _admin_postgres(
            url.with_database(str(admin.database)),
            f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)',
        )
    else:
        _admin_mysql(url, f"DROP DATABASE IF EXISTS `{url.database}`")


async def drop_all_tables(database: Database) -> None:
    """Drop every table and view of ``database`` (PostgreSQL: its current schema), then
    disconnect it. A SQLite test database is a file of its own: it is left alone."""
    await database.connect()
    if database.vendor == "postgresql":
        await database.execute("DROP SCHEMA public CASCADE")
        await database.execute("CREATE SCHEMA public")
    elif database.vendor == "mysql":
        # One connection for all of it (atomic() binds one): the SET is per session.
        async with database.atomic():
            rows = await database.fetch_all(
                "SELECT table_name, table_type FROM information_schema.tables"
                " WHERE table_schema = DATABASE()"
            )
            await database.execute("SET FOREIGN_KEY_CHECKS = 0")
            for name, kind in rows:
                await database.execute(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} `{name}`")
            await database.execute("SET FOREIGN_KEY_CHECKS = 1")
    await database.disconnect()


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
