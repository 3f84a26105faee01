from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from covet.router import (
    Converter,
    ConverterError,
    RouteMatch,
    Router,
    get_converter,
    register_converter,
)
from covet.router.converters import (
    FloatConverter,
    IntegerConverter,
    PathConverter,
    StringConverter,
    UUIDConverter,
    registered_converters,
)


def fullmatch(converter: Converter, text: str) -> bool:
    return re.fullmatch(converter.regex, text) is not None


class TestString:
    converter = StringConverter()

    def test_regex_matches_one_non_empty_segment(self) -> None:
        assert fullmatch(self.converter, "bob")
        assert fullmatch(self.converter, "a b.c%")
        assert not fullmatch(self.converter, "")
        assert not fullmatch(self.converter, "a/b")

    def test_to_python_keeps_the_text(self) -> None:
        assert self.converter.to_python("bob") == "bob"

    @pytest.mark.parametrize(
        ("value", "text"),
        [("bob", "bob"), (5, "5"), (uuid.UUID(int=1), "00000000-0000-0000-0000-000000000001")],
    )
    def test_to_string_accepts_str_int_and_uuid(self, value: Any, text: str) -> None:
        assert self.converter.to_string(value) == text

    @pytest.mark.parametrize("value", [None, True, 1.5, b"x", object()])
    def test_to_string_refuses_other_types(self, value: Any) -> None:
        with pytest.raises(TypeError, match="expected a str, int or UUID"):
            self.converter.to_string(value)

    def test_to_string_refuses_empty_text(self) -> None:
        with pytest.raises(ValueError, match="empty"):
            self.converter.to_string("")


class TestInteger:
    converter = IntegerConverter()

    def test_regex_is_ascii_digits_only(self) -> None:
        assert fullmatch(self.converter, "0042")
        for text in ["", "-1", "+1", "1.0", "1e3", "\u0663", " 1"]:  # \u0663 is an Arabic 3
            assert not fullmatch(self.converter, text), text

    def test_to_python_returns_an_int(self) -> None:
        assert self.converter.to_python("0042") == 42
        assert isinstance(self.converter.to_python("7"), int)

    def test_to_python_refuses_more_digits_than_python_converts(self) -> None:
        with pytest.raises(ValueError, match="digits"):
            self.converter.to_python("1" * 5000)

    def test_to_string(self) -> None:
        assert self.converter.to_string(0) == "0"
        assert self.converter.to_string(123) == "123"

    @pytest.mark.parametrize("value", [True, False, "5", 5.0, None])
    def test_to_string_refuses_non_ints_and_bools(self, value: Any) -> None:
        with pytest.raises(TypeError, match="expected an int"):
            self.converter.to_string(value)

    def test_to_string_refuses_negative(self) -> None:
        with pytest.raises(ValueError, match="negative"):
            self.converter.to_string(-1)


class TestFloat:
    converter = FloatConverter()

    def test_regex(self) -> None:
        for text in ["1", "1.5", "0.000", "12345678901234567890"]:
            assert fullmatch(self.converter, text), text
        for text in ["", "1.", ".5", "-1", "1e5", "inf", "nan", "1.5.2"]:
            assert not fullmatch(self.converter, text), text

    def test_to_python_returns_a_float(self) -> None:
        assert self.converter.to_python("1.5") == 1.5
        assert isinstance(self.converter.to_python("2"), float)

    def test_to_python_refuses_overflow(self) -> None:
        with pytest.raises(ValueError, match="too large"):
            self.converter.to_python("9" * 400)

    @pytest.mark.parametrize(
        ("value", "text"),
        [
            (1.5, "1.5"),
            (2, "2"),
            (2.0, "2.0"),
            (1e20, "100000000000000000000"),
            (1.5e-7, "0.00000015"),
            (-0.0, "0.0"),
        ],
    )
    def test_to_string_never_uses_an_exponent(self, value: float, text: str) -> None:
        assert self.converter.to_string(value) == text
        assert fullmatch(self.converter, text)

    @pytest.mark.parametrize("value", [0.1, 1 / 3, 5e-324, 1.7976931348623157e308, 123456.789])
    def test_to_string_round_trips(self, value: float) -> None:
        text = self.converter.to_string(value)
        assert fullmatch(self.converter, text)
        assert self.converter.to_python(text) == value

    @pytest.mark.parametrize("value", [True, "1.5", None])
    def test_to_string_refuses_other_types(self, value: Any) -> None:
        with pytest.raises(TypeError, match="expected a float or an int"):
            self.converter.to_string(value)

    @pytest.mark.parametrize("value", [-1.5, -1, float("inf"), float("nan"), 10**400])
    def test_to_string_refuses_negative_and_non_finite(self, value: Any) -> None:
        with pytest.raises(ValueError, match=r"finite|too large"):
            self.converter.to_string(value)


class TestUUID:
    converter = UUIDConverter()
    value = uuid.UUID("12345678-9abc-def0-1234-56789abcdef0")

    def test_regex_is_canonical_form_in_either_case(self) -> None:
        assert fullmatch(self.converter, str(self.value))
        assert fullmatch(self.converter, str(self.value).upper())
        assert not fullmatch(self.converter, self.value.hex)
        assert not fullmatch(self.converter, "{" + str(self.value) + "}")

    def test_to_python_returns_a_uuid(self) -> None:
        assert self.converter.to_python(str(self.value).upper()) == self.value

    def test_to_string_accepts_a_uuid_or_a_str_that_parses(self) -> None:
        canonical = str(self.value)
        assert self.converter.to_string(self.value) == canonical
        assert self.converter.to_string(self.value.hex) == canonical
        assert self.converter.to_string("{" + canonical.upper() + "}") == canonical

    def test_to_string_refuses_bad_values(self) -> None:
        with pytest.raises(ValueError, match="badly formed"):
            self.converter.to_string("not-a-uuid")
        with pytest.raises(TypeError, match="expected a UUID or a str"):
            self.converter.to_string(self.value.int)


class TestPath:
    converter = PathConverter()

    def test_matches_slashes_and_empty_text(self) -> None:
        assert self.converter.matches_slash
        assert fullmatch(self.converter, "")
        assert fullmatch(self.converter, "css/site.css")
        assert fullmatch(self.converter, "line\nbreak/\r\n")  # a decoded %0A is still text

    def test_to_string_requires_a_str(self) -> None:
        assert self.converter.to_string("a/b") == "a/b"
        with pytest.raises(TypeError, match="expected a str"):
            self.converter.to_string(["a", "b"])


class Slug(Converter):
    regex = "[a-z0-9]+(-[a-z0-9]+)*"


class Even(Converter):
    """Digits, but only even numbers: to_python refuses odd ones after the regex matched."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number % 2:
            raise ValueError("odd")
        return number

    def to_string(self, value: Any) -> str:
        return str(value)


class TestBaseClass:
    def test_defaults_pass_strings_through(self) -> None:
        slug = Slug()
        assert slug.to_python("a-b") == "a-b"
        assert slug.to_string("a-b") == "a-b"
        assert not slug.matches_slash
        assert repr(slug) == "Slug()"
        with pytest.raises(TypeError, match="expected a str"):
            slug.to_string(1)


class TestRegistry:
    def test_builtins_in_registration_order(self) -> None:
        assert list(registered_converters()) == ["str", "int", "float", "uuid", "path"]
        assert isinstance(get_converter("int"), IntegerConverter)

    def test_registered_converters_is_a_copy(self) -> None:
        registered_converters().clear()
        assert "int" in registered_converters()

    def test_get_unknown_names_the_registered_ones(self) -> None:
        with pytest.raises(
            ConverterError, match=r"no converter named 'slug'; registered: str, int"
        ):
            get_converter("slug")

    @pytest.mark.usefixtures("clean_registry")
    def test_register_makes_it_available_to_every_router(self) -> None:
        register_converter("slug", Slug())
        assert isinstance(get_converter("slug"), Slug)
        router = Router()
        route = router.add_route("/posts/{slug:slug}", "post")
        assert router.match("GET", "/posts/hello-world") == RouteMatch(
            route, {"slug": "hello-world"}
        )
        assert not isinstance(router.match("GET", "/posts/Hello"), RouteMatch)

    @pytest.mark.usefixtures("clean_registry")
    def test_register_twice_is_an_error_unless_replace(self) -> None:
        register_converter("slug", Slug())
        with pytest.raises(ConverterError, match=r"already registered.*replace=True"):
            register_converter("slug", Slug())
        replacement = Slug()
        register_converter("slug", replacement, replace=True)
        assert get_converter("slug") is replacement

    def test_register_refuses_a_builtin_name(self) -> None:
        with pytest.raises(ConverterError, match="'int' is already registered"):
            register_converter("int", Even())

    @pytest.mark.parametrize("name", ["", "two words", "1st", "a-b"])
    def test_register_refuses_invalid_names(self, name: str) -> None:
        with pytest.raises(ConverterError, match="not a valid identifier"):
            register_converter(name, Slug())

    def test_register_refuses_objects_that_are_not_converters(self) -> None:
        with pytest.raises(TypeError, match=r"must be an instance of covet\.router\.Converter"):
            register_converter("slug", object())  # type: ignore[arg-type]

    def test_register_refuses_a_converter_without_regex(self) -> None:
        with pytest.raises(ConverterError, match="has no regex"):
            register_converter("plain", Converter())

    def test_register_refuses_an_invalid_regex(self) -> None:
        class Broken(Converter):
            regex = "[a-"

        with pytest.raises(ConverterError, match=r"invalid regex '\[a-'"):
            register_converter("broken", Broken())
