"""parse_database_url: every accepted form, and a one-line error for the rest."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from covet.orm.errors import DatabaseConfigError
from covet.orm.urls import DatabaseURL, parse_database_url


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:///app.db", "app.db"),
        ("sqlite:///data/app.db", "data/app.db"),
        ("sqlite:////var/lib/app.db", "/var/lib/app.db"),
        ("sqlite:///my%20app.db", "my app.db"),
        ("sqlite://:memory:", ":memory:"),
        ("sqlite:///:memory:", ":memory:"),
        ("sqlite://", ":memory:"),
        ("SQLITE:///app.db", "app.db"),
    ],
)
def test_sqlite_forms(url: str, path: str) -> None:
    parsed = parse_database_url(url)
    assert parsed.backend == "sqlite"
    assert parsed.path == path
    assert parsed.is_memory is (path == ":memory:")
    assert parsed.host is None
    assert parsed.location == path


def test_sqlite_options() -> None:
    parsed = parse_database_url("sqlite:///app.db?timeout=2.5&max_size=3")
    assert parsed.options == {"timeout": "2.5", "max_size": "3"}
    assert parsed.float_option("timeout", 5.0) == 2.5
    assert parsed.int_option("max_size", 5) == 3
    assert parsed.int_option("min_size", 1) == 1
    assert str(parsed) == "sqlite:///app.db?timeout=2.5&max_size=3"


@pytest.mark.parametrize(
    ("url", "backend", "port"),
    [
        ("postgresql://app:s3cret@db.local:6543/shop", "postgresql", 6543),
        ("postgres://app:s3cret@db.local/shop", "postgresql", 5432),
        ("mysql://app:s3cret@db.local:3307/shop", "mysql", 3307),
        ("mariadb://app:s3cret@db.local/shop", "mysql", 3306),
    ],
)
def test_server_forms(url: str, backend: str, port: int) -> None:
    parsed = parse_database_url(url)
    assert parsed == DatabaseURL(
        backend,  # type: ignore[arg-type]
        host="db.local",
        port=port,
        user="app",
        password="s3cret",
        database="shop",
    )
    assert parsed.location == f"db.local:{port}"
    assert not parsed.is_memory


def test_server_defaults_and_escapes() -> None:
    parsed = parse_database_url("postgresql://us%40er:p%2Fss%3Aword@/shop?sslmode=disable")
    assert parsed.host == "localhost"
    assert parsed.port == 5432
    assert parsed.user == "us@er"
    assert parsed.password == "p/ss:word"
    # PostgreSQL forwards unknown options to libpq
    assert parsed.options == {"sslmode": "disable"}
    # render() gives back a URL that parses to the same thing
    assert parse_database_url(parsed.render()) == parsed


def test_password_is_masked_in_str_and_repr() -> None:
    parsed = parse_database_url("postgresql://app:s3cret@127.0.0.1/shop")
    assert str(parsed) == "postgresql://app:***@127.0.0.1:5432/shop"
    assert "s3cret" not in repr(parsed)
    assert "s3cret" in parsed.render()


def test_user_without_password_renders_without_colon() -> None:
    parsed = parse_database_url("mysql://root@127.0.0.1/test")
    assert parsed.password is None
    assert parsed.render() == "mysql://root@127.0.0.1:3306/test"
    assert parse_database_url("mysql://127.0.0.1/test").render() == "mysql://127.0.0.1:3306/test"


def test_with_database_keeps_server_and_credentials() -> None:
    parsed = parse_database_url("postgresql://app:pw@127.0.0.1:5432/one?max_size=2")
    other = parsed.with_database("two")
    assert (other.database, other.host, other.password, other.options) == (
        "two",
        "127.0.0.1",
        "pw",
        {"max_size": "2"},
    )
    with pytest.raises(DatabaseConfigError):
        parse_database_url("sqlite:///a.db").with_database("b")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("app.db", "has no scheme"),
        ("oracle://scott:tiger@host/db", "unknown database scheme 'oracle'"),
        ("postgresql://app:pw@host:notaport/db", "port that is not a number"),
        ("postgresql://app:pw@host:99999/db", "port that is not a number"),
        ("postgresql://app:pw@host:5432", "names no database"),
        ("mysql://app:pw@host/", "names no database"),
        ("mysql://app:pw@host/db;drop", "must be letters, digits"),
        ("mysql://app:pw@host/db?sslmode=require", "unknown option 'sslmode'"),
        ("sqlite:///app.db?journal=wal", "unknown option 'journal'"),
        ("sqlite://server/app.db", "names a host ('server')"),
        ("sqlite:///data/", "names a directory"),
        ("postgresql://app:pw@host/db?max_size=0", "max_size='0'"),
        ("postgresql://app:pw@host/db?max_size=many", "must be a whole number"),
        ("postgresql://app:pw@host/db?connect_timeout=-1", "must be a number of seconds"),
        ("postgresql://app:pw@host/db?connect_timeout=soon", "must be a number of seconds"),
        ("postgresql://app:pw@host/db?min_size=5&max_size=2", "min_size=5 is larger"),
        ("postgresql://app:pw@host/db?a", "malformed query string"),
        ("postgresql://app:pw@[::1/db", "is malformed: Invalid IPv6 URL"),
    ],
)
def test_bad_urls_raise_one_line_naming_the_url(url: str, expected: str) -> None:
    with pytest.raises(DatabaseConfigError) as caught:
        parse_database_url(url)
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message
    assert "pw@" not in message  # the password never appears in messages


@given(st.text(max_size=60))
def test_any_text_parses_or_raises_database_config_error(text: str) -> None:
    for candidate in (text, "postgresql://" + text, "mysql://u@h/" + text, "sqlite://" + text):
        try:
            parsed = parse_database_url(candidate)
        except DatabaseConfigError as error:
            message = str(error)
        else:
            assert parsed.backend in {"sqlite", "postgresql", "mysql"}
            continue
        assert "\n" not in message
