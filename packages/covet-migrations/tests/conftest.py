"""Fresh databases on each backend for the backup tests.

``new_database_url()`` returns the URL of a new, empty database on the test's
``vendor`` (a file in tmp_path for SQLite; ``covet_test_<hex>`` on the servers
named by ``COVET_TEST_POSTGRES_URL`` / ``COVET_TEST_MYSQL_URL``, dropped when the
session ends). A backup test needs two: one to back up, one to restore into.
This is the approach of covet-orm's tests/conftest.py, kept minimal.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from covet.orm.urls import DatabaseURL, parse_database_url

SERVER_VARIABLES = {"postgresql": "COVET_TEST_POSTGRES_URL", "mysql": "COVET_TEST_MYSQL_URL"}

VENDORS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    pytest.param("mysql", id="mysql", marks=pytest.mark.mysql),
]


def _admin(url: DatabaseURL, sql: str) -> None:
    """Run one statement outside any transaction (CREATE/DROP DATABASE need that)."""
    if url.backend == "postgresql":
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
        return
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


class ServerDatabases:
    """The throwaway databases this session made on the servers."""

    def __init__(self) -> None:
        self.made: list[tuple[DatabaseURL, DatabaseURL]] = []  # (admin URL, database URL)

    def create(self, vendor: str) -> DatabaseURL:
        variable = SERVER_VARIABLES[vendor]
        admin_url = os.environ.get(variable)
        if not admin_url:
            pytest.skip(f"!!! {variable} is not set: the {vendor} tests cannot run")
        admin = parse_database_url(admin_url)
        name = f"covet_test_{secrets.token_hex(4)}"
        quoted = f'"{name}"' if vendor == "postgresql" else f"`{name}` CHARACTER SET utf8mb4"
        try:
            _admin(admin, f"CREATE DATABASE {quoted}")
        except Exception as error:  # whatever stops us, the reason is reported
            pytest.skip(f"!!! {vendor} not available: {' '.join(str(error).split())}")
        self.made.append((admin, admin.with_database(name)))
        return admin.with_database(name)

    def drop_all(self) -> None:
        for admin, url in self.made:
            force = " WITH (FORCE)" if url.backend == "postgresql" else ""
            name = f'"{url.database}"' if url.backend == "postgresql" else f"`{url.database}`"
            _admin(admin, f"DROP DATABASE IF EXISTS {name}{force}")
        self.made.clear()


@pytest.fixture(scope="session")
def server_databases() -> Iterator[ServerDatabases]:
    servers = ServerDatabases()
    yield servers
    servers.drop_all()


@pytest.fixture(params=VENDORS)
def vendor(request: pytest.FixtureRequest) -> str:
    """The backend this test runs on: "sqlite", "postgresql" or "mysql"."""
    name: str = request.param
    return name


@pytest.fixture
def new_database_url(
    vendor: str, server_databases: ServerDatabases, tmp_path: Path
) -> Callable[[], DatabaseURL]:
    """Makes a new empty database on ``vendor`` at each call and returns its URL."""
    made = 0

    def make() -> DatabaseURL:
        nonlocal made
        made += 1
        if vendor == "sqlite":
            return parse_database_url(f"sqlite:///{tmp_path / f'db{made}.sqlite3'}")
        return server_databases.create(vendor)

    return make
