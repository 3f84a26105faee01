"""Database URLs: one string says which database, where, and how to connect.

::

    sqlite:///app.db                   a file, relative to the working directory
    sqlite:////var/lib/app/app.db      an absolute path (note the fourth slash)
    sqlite://:memory:                  an in-memory database (also sqlite:///:memory:)
    postgresql://user:secret@127.0.0.1:5432/app?max_size=20     (or postgres://)
    mysql://root@127.0.0.1:3306/app                              (or mariadb://)

:func:`parse_database_url` turns the string into a :class:`DatabaseURL`, a
frozen record the backends read. Everything is checked here, before any
connection is tried, so a typo fails with a message naming the URL (its
password masked) instead of a driver error later.

The query string carries options. ``min_size`` and ``max_size`` size the
connection pool, ``connect_timeout`` (seconds) bounds how long connecting may
take, ``pool_timeout`` (seconds, 30 by default) how long a statement waits for
a free connection of the pool, and ``timeout`` (seconds) how long a SQLite
statement waits for another connection's lock. PostgreSQL passes any other
option to libpq unchanged (``sslmode``, ``application_name``...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from covet.orm.errors import DatabaseConfigError

__all__ = ["DatabaseURL", "parse_database_url"]

Backend = Literal["sqlite", "postgresql", "mysql"]

#: URL scheme -> backend. MariaDB speaks the MySQL protocol, so it shares the backend.
SCHEMES: dict[str, Backend] = {
    "sqlite": "sqlite",
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "mysql": "mysql",
    "mariadb": "mysql",
}

DEFAULT_PORTS: dict[Backend, int] = {"postgresql": 5432, "mysql": 3306}

#: Options each backend understands. PostgreSQL also forwards unknown ones to libpq.
KNOWN_OPTIONS: dict[Backend, frozenset[str]] = {
    "sqlite": frozenset({"timeout", "max_size"}),
    "postgresql": frozenset({"min_size", "max_size", "connect_timeout", "pool_timeout"}),
    "mysql": frozenset({"min_size", "max_size", "connect_timeout", "pool_timeout"}),
}

_INTEGER_OPTIONS = frozenset({"min_size", "max_size"})
_NUMBER_OPTIONS = frozenset({"connect_timeout", "pool_timeout", "timeout"})
_DATABASE_NAME = re.compile(r"^[A-Za-z0-9_$-]{1,64}$")

MEMORY = ":memory:"


@dataclass(frozen=True)
class DatabaseURL:
    """A parsed database URL. Build one with :func:`parse_database_url`.

    For SQLite only ``path`` matters (``":memory:"`` for an in-memory
    database); for the servers ``host``, ``port``, ``user``, ``password`` and
    ``database``. ``options`` holds the query string, already validated.
    """

    backend: Backend
    host: str | None = None
    port: int | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    database: str | None = None
    path: str | None = None
    options: dict[str, str] = field(default_factory=dict, hash=False)

    @property
    def is_memory(self) -> bool:
        """True for an in-memory SQLite database."""
        return self.backend == "sqlite" and self.path == MEMORY

    @property
    def location(self) -> str:
        """Where the database lives, for messages: ``host:port`` or the SQLite path."""
        if self.backend == "sqlite":
            return str(self.path)
        return f"{self.host}:{self.port}"

    def int_option(self, name: str, default: int) -> int:
        """An integer option from the query string (validated at parse time)."""
        return int(self.options[name]) if name in self.options else default

    def float_option(self, name: str, default: float) -> float:
        """A number option from the query string (validated at parse time)."""
        return float(self.options[name]) if name in self.options else default

    def with_database(self, database: str) -> DatabaseURL:
        """The same server and credentials, another database (used to create test databases)."""
        if self.backend == "sqlite":
            raise DatabaseConfigError("with_database() is for server URLs, not SQLite")
        return DatabaseURL(
            self.backend,
            self.host,
            self.port,
            self.user,
            self.password,
            database,
            None,
            dict(self.options),
        )

    def masked(self) -> str:
        """The URL as a string, with the password replaced by ``***`` (safe to log)."""
        return self._render(mask=True)

    def __str__(self) -> str:
        return self.masked()

    def render(self) -> str:
        """The URL as a string, password included (for handing to another process)."""
        return self._render(mask=False)

    def _render(self, *, mask: bool) -> str:
        query = "&".join(f"{quote(k)}={quote(v)}" for k, v in self.options.items())
        suffix = f"?{query}" if query else ""
        if self.backend == "sqlite":
            return f"sqlite:///{self.path}{suffix}"
        credentials = ""
        if self.user is not None:
            credentials = quote(self.user, safe="")
            if self.password is not None:
                credentials += ":" + ("***" if mask else quote(self.password, safe=""))
            credentials += "@"
        return f"{self.backend}://{credentials}{self.host}:{self.port}/{self.database}{suffix}"


def parse_database_url(url: str) -> DatabaseURL:
    """Parse and validate a database URL; raise :class:`DatabaseConfigError` if it cannot work."""
    scheme, sep, _ = url.partition("://")
    if not sep:
        raise DatabaseConfigError(
            f"database URL {_mask(url)!r} has no scheme; expected e.g. sqlite:///app.db "
            "or postgresql://user@host/db"
        )
    backend = SCHEMES.get(scheme.lower())
    if backend is None:
        raise DatabaseConfigError(
            f"unknown database scheme {scheme!r} in {_mask(url)!r}; "
            f"expected one of: {', '.join(SCHEMES)}"
        )
    parsed = _parse_sqlite(url) if backend == "sqlite" else _parse_server(url, backend)
    _check_options(parsed, url)
    return parsed


def _parse_sqlite(url: str) -> DatabaseURL:
    # urlsplit would read ":memory:" as a host with an empty port, so the
    # SQLite forms are taken apart by hand: everything after "sqlite://".
    rest, _, query = url[len("sqlite://") :].partition("?")
    options = _parse_query(query, url)
    if rest in ("", MEMORY, "/" + MEMORY):
        return DatabaseURL("sqlite", path=MEMORY, options=options)
    if not rest.startswith("/"):
        raise DatabaseConfigError(
            f"SQLite URL {url!r} names a host ({rest.split('/')[0]!r}); use sqlite:///relative.db "
            "or sqlite:////absolute/path.db"
        )
    path = unquote(rest[1:])
    if path.endswith("/"):
        raise DatabaseConfigError(f"SQLite URL {url!r} names a directory, not a file")
    return DatabaseURL("sqlite", path=path, options=options)


def _parse_server(url: str, backend: Backend) -> DatabaseURL:
    try:
        parts = urlsplit(url)
    except ValueError as error:  # e.g. an unbalanced "[" of an IPv6 address
        raise DatabaseConfigError(f"database URL {_mask(url)!r} is malformed: {error}") from None
    try:
        port = parts.port
    except ValueError:
        raise DatabaseConfigError(
            f"database URL {_mask(url)!r} has a port that is not a number 1-65535"
        ) from None
    database = unquote(parts.path.lstrip("/"))
    if not database:
        raise DatabaseConfigError(
            f"database URL {_mask(url)!r} names no database; add it after the host: .../dbname"
        )
    if not _DATABASE_NAME.match(database):
        raise DatabaseConfigError(
            f"database name {database!r} in {_mask(url)!r} must be letters, digits, _, $ or -"
        )
    return DatabaseURL(
        backend,
        host=parts.hostname or "localhost",
        port=port or DEFAULT_PORTS[backend],
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
        database=database,
        options=_parse_query(parts.query, url),
    )


def _parse_query(query: str, url: str) -> dict[str, str]:
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError:
        raise DatabaseConfigError(
            f"database URL {_mask(url)!r} has a malformed query string"
        ) from None
    return dict(pairs)


def _check_options(parsed: DatabaseURL, url: str) -> None:
    known = KNOWN_OPTIONS[parsed.backend]
    for name, value in parsed.options.items():
        if name not in known and parsed.backend != "postgresql":
            raise DatabaseConfigError(
                f"unknown option {name!r} in {_mask(url)!r}; "
                f"{parsed.backend} understands: {', '.join(sorted(known))}"
            )
        if name in _INTEGER_OPTIONS and not (value.isdigit() and int(value) >= 1):
            raise DatabaseConfigError(
                f"option {name}={value!r} in {_mask(url)!r} must be a whole number >= 1"
            )
        if name in _NUMBER_OPTIONS and not _is_positive_number(value):
            raise DatabaseConfigError(
                f"option {name}={value!r} in {_mask(url)!r} must be a number of seconds > 0"
            )
    min_size = parsed.int_option("min_size", 1)
    max_size = parsed.int_option("max_size", max(min_size, 1))
    if min_size > max_size:
        raise DatabaseConfigError(
            f"min_size={min_size} is larger than max_size={max_size} in {_mask(url)!r}"
        )


def _is_positive_number(value: str) -> bool:
    try:
        return float(value) > 0
    except ValueError:
        return False


def _mask(url: str) -> str:
    """The URL with any password replaced by ``***``, for error messages."""
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)
