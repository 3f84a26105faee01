"""Converters from request text to annotated types."""

from __future__ import annotations

from typing import Any, Optional, Union

import pytest
from hypothesis import given
from hypothesis import strategies as st

from covet.asgi.params import ConversionError, converter_for


@pytest.mark.parametrize(
    ("annotation", "text", "expected"),
    [
        (str, " a ", " a "),
        (int, "-12", -12),
        (int, "+3", 3),
        (float, "1.", 1.0),
        (float, ".5", 0.5),
        (float, "-2e3", -2000.0),
        (bool, "ON", True),
        (bool, "0", False),
        (Any, "raw", "raw"),
        (Optional[int], "4", 4),  # noqa: UP045
    ],
)
def test_accepted_values(annotation: Any, text: str, expected: Any) -> None:
    converter = converter_for(annotation)
    assert converter is not None
    assert converter.convert(text) == expected


@pytest.mark.parametrize(
    ("annotation", "text"),
    [
        (int, " 1"),
        (int, "1_000"),
        (int, "1.0"),
        (float, "nan"),
        (float, "inf"),
        (float, "1_0"),
        (float, " 1"),
        (bool, "maybe"),
    ],
)
def test_refused_values(annotation: Any, text: str) -> None:
    converter = converter_for(annotation)
    assert converter is not None
    with pytest.raises(ConversionError):
        converter.convert(text)


def test_shapes() -> None:
    many = converter_for(list[int])
    assert many is not None
    assert many.many
    assert many.type_name == "list[int]"
    optional = converter_for(int | None)
    assert optional is not None
    assert optional.optional
    bare_list = converter_for(list)
    assert bare_list is not None
    assert bare_list.many


@pytest.mark.parametrize(
    "annotation",
    [dict, list[dict], Union[int, str], int | str | None, object],  # noqa: UP007
)
def test_unsupported_annotations_give_none(annotation: Any) -> None:
    assert converter_for(annotation) is None


@given(st.text())
def test_int_converter_never_raises_anything_but_conversion_error(text: str) -> None:
    converter = converter_for(int)
    assert converter is not None
    try:
        value = converter.convert(text)
    except ConversionError as exc:
        failure = exc.kind
    else:
        failure = None
        assert value == int(text)
        assert text.strip() == text
        assert "_" not in text
    assert failure in (None, "int_parsing")


@given(st.text())
def test_float_converter_total(text: str) -> None:
    converter = converter_for(float)
    assert converter is not None
    try:
        value = converter.convert(text)
    except ConversionError as exc:
        failure = exc.kind
    else:
        failure = None
        assert value == float(text)
    assert failure in (None, "float_parsing")


@pytest.mark.parametrize(
    ("annotation", "text", "kind"),
    [
        (int, "9" * 4301, "int_parsing_size"),
        (float, "1e999", "finite_number"),
        (float, "-1e999", "finite_number"),
        (float, "inf", "float_parsing"),
        (float, "nan", "float_parsing"),
    ],
)
def test_values_beyond_the_type_are_conversion_errors(
    annotation: Any, text: str, kind: str
) -> None:
    converter = converter_for(annotation)
    assert converter is not None
    with pytest.raises(ConversionError) as caught:
        converter.convert(text)
    assert caught.value.kind == kind
    assert len(str(caught.value)) < 200  # a huge value is counted, not echoed
