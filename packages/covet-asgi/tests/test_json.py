"""covet.asgi.json: both backends give the same bytes and the same errors."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import importlib.util
import json
import sys
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from covet.asgi import json as covet_json

Dumps = Callable[[Any], bytes]
Loads = Callable[[bytes | str], Any]

_ORJSON_INSTALLED = importlib.util.find_spec("orjson") is not None

# Each test taking `backend` runs once with the stdlib path and once with orjson; the orjson
# run is skipped (with this reason) where orjson is not installed.
BACKENDS = [
    pytest.param((covet_json.stdlib_dumps, covet_json.stdlib_loads), id="json"),
    pytest.param(
        (covet_json.dumps, covet_json.loads),
        id="orjson",
        marks=pytest.mark.skipif(
            not _ORJSON_INSTALLED, reason="orjson is not installed in this environment"
        ),
    ),
]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> tuple[Dumps, Loads]:
    pair: tuple[Dumps, Loads] = request.param
    return pair


class Colour(enum.Enum):
    RED = "red"


@dataclasses.dataclass
class Point:
    x: int
    y: int


@dataclasses.dataclass
class Event:
    name: str
    at: datetime.datetime
    where: Point


UTC = datetime.UTC
PLUS_TWO = datetime.timezone(datetime.timedelta(hours=2))
AN_ID = uuid.UUID("12345678-1234-5678-1234-567812345678")

PARITY_CASES = [
    ({"a": 1, "b": [1, 2.5, True, False, None]}, b'{"a":1,"b":[1,2.5,true,false,null]}'),
    ([], b"[]"),
    ("plain", b'"plain"'),
    ("héllo wörld ✓ 日本", '"héllo wörld ✓ 日本"'.encode()),
    ('quote " backslash \\ newline \n tab \t', b'"quote \\" backslash \\\\ newline \\n tab \\t"'),
    ("\x1f", b'"\\u001f"'),
    (-17, b"-17"),
    (0.1, b"0.1"),
    ((1, "two"), b'[1,"two"]'),
    ({1: "int key", None: "none key"}, b'{"1":"int key","null":"none key"}'),
    (datetime.datetime(2024, 5, 1, 12, 30, 15, 123456), b'"2024-05-01T12:30:15.123456"'),
    (datetime.datetime(2024, 5, 1, 12, 30, tzinfo=UTC), b'"2024-05-01T12:30:00+00:00"'),
    (datetime.datetime(2024, 5, 1, 12, 30, tzinfo=PLUS_TWO), b'"2024-05-01T12:30:00+02:00"'),
    (datetime.date(2024, 5, 1), b'"2024-05-01"'),
    (datetime.time(8, 5), b'"08:05:00"'),
    (datetime.time(8, 5, tzinfo=UTC), b'"08:05:00+00:00"'),
    (AN_ID, b'"12345678-1234-5678-1234-567812345678"'),
    (decimal.Decimal("12.50"), b'"12.50"'),
    (Colour.RED, b'"red"'),
    (
        Event("launch", datetime.datetime(2024, 1, 2, 3, 4, 5), Point(1, 2)),
        b'{"name":"launch","at":"2024-01-02T03:04:05","where":{"x":1,"y":2}}',
    ),
]


@pytest.mark.parametrize(("value", "expected"), PARITY_CASES)
def test_dumps_gives_the_documented_bytes(
    backend: tuple[Dumps, Loads], value: Any, expected: bytes
) -> None:
    dumps, _ = backend
    assert dumps(value) == expected


@pytest.mark.parametrize(
    "value", [{1, 2}, object(), b"bytes", Point], ids=["set", "object", "bytes", "dataclass-type"]
)
def test_dumps_refuses_other_types_naming_them(backend: tuple[Dumps, Loads], value: Any) -> None:
    dumps, _ = backend
    with pytest.raises(TypeError, match=type(value).__name__):
        dumps(value)


def test_a_nested_unknown_type_is_refused(backend: tuple[Dumps, Loads]) -> None:
    dumps, _ = backend
    with pytest.raises(TypeError, match="frozenset"):
        dumps({"ok": [1, {"bad": frozenset()}]})


def test_float_spelling_may_differ_but_the_value_does_not(backend: tuple[Dumps, Loads]) -> None:
    dumps, loads = backend
    for value in (1e-5, 1e16, 1.5e300, -0.0):
        assert loads(dumps(value)) == value


def test_non_finite_floats_are_written_as_null(backend: tuple[Dumps, Loads]) -> None:
    dumps, _ = backend
    value = {"a": [float("nan"), float("inf"), -float("inf"), 1.5], "NaN": "Infinity"}
    assert dumps(value) == b'{"a":[null,null,null,1.5],"NaN":"Infinity"}'


def test_a_circular_reference_is_still_an_error() -> None:
    loop: list[Any] = [float("nan")]
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        covet_json.stdlib_dumps(loop)


@pytest.mark.parametrize("data", [b'{"a":[1,2.5,"\xc3\xa9"]}', '{"a":[1,2.5,"é"]}'])
def test_loads_reads_bytes_and_text(backend: tuple[Dumps, Loads], data: bytes | str) -> None:
    _, loads = backend
    assert loads(data) == {"a": [1, 2.5, "é"]}


def test_round_trip_through_both_functions(backend: tuple[Dumps, Loads]) -> None:
    dumps, loads = backend
    value = {"name": "Zoë", "tags": ["a", "b"], "n": None, "ok": True, "ratio": 0.25}
    assert loads(dumps(value)) == value


def test_a_syntax_error_says_where(backend: tuple[Dumps, Loads]) -> None:
    _, loads = backend
    with pytest.raises(json.JSONDecodeError) as caught:
        loads(b'{\n  "a": 1,\n  "b": }')
    assert caught.value.lineno == 3
    assert caught.value.colno == 8


@pytest.mark.parametrize(
    "document", [b"", b"{", b"[1,]", b"{'a': 1}", b'{"a": 1} trailing', b"\xff\xfe"]
)
def test_malformed_documents_raise_json_decode_error(
    backend: tuple[Dumps, Loads], document: bytes
) -> None:
    _, loads = backend
    with pytest.raises(json.JSONDecodeError):
        loads(document)


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_standard_number_literals_are_refused(
    backend: tuple[Dumps, Loads], literal: str
) -> None:
    _, loads = backend
    with pytest.raises(json.JSONDecodeError):
        loads(f'{{"value": {literal}}}')


def test_stdlib_path_points_at_the_constant_not_at_a_string_holding_its_name() -> None:
    with pytest.raises(json.JSONDecodeError, match="NaN is not valid JSON") as caught:
        covet_json.stdlib_loads('{"NaN": NaN}')
    assert caught.value.pos == 8


def test_stdlib_path_points_at_the_first_byte_that_is_not_utf8() -> None:
    with pytest.raises(json.JSONDecodeError, match="UTF-8") as caught:
        covet_json.stdlib_loads(b'{"a": "\xff"}')
    assert caught.value.pos == 7


def test_backend_names_the_library_in_use() -> None:
    expected = "orjson" if _ORJSON_INSTALLED else "json"
    assert expected == covet_json.BACKEND


def test_public_functions_use_the_chosen_backend() -> None:
    assert covet_json.dumps({"b": [1]}) == b'{"b":[1]}'
    assert covet_json.loads('{"b": [1]}') == {"b": [1]}


def test_without_orjson_the_stdlib_backend_is_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    # A None entry in sys.modules makes `import orjson` raise ImportError. The module is
    # executed again under another name, so the real covet.asgi.json is left untouched.
    monkeypatch.setitem(sys.modules, "orjson", None)
    spec = importlib.util.spec_from_file_location("covet_json_without_orjson", covet_json.__file__)
    assert spec is not None
    assert spec.loader is not None
    fallback = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fallback)

    assert fallback.BACKEND == "json"
    assert fallback.dumps({"on": datetime.date(2024, 1, 2)}) == b'{"on":"2024-01-02"}'
    assert fallback.loads(b'{"on": "2024-01-02"}') == {"on": "2024-01-02"}
    with pytest.raises(json.JSONDecodeError):
        fallback.loads(b"{")


def test_nesting_orjson_cannot_write_is_written_by_the_stdlib_path(
    backend: tuple[Dumps, Loads],
) -> None:
    dumps, loads = backend
    deep = loads("[" * 300 + "]" * 300)  # orjson writes 254 levels at most
    assert dumps({"got": deep}) == b'{"got":' + b"[" * 300 + b"]" * 300 + b"}"
    with pytest.raises(TypeError, match="not JSON serializable"):
        dumps(object())  # other errors are still errors
