from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from covet.router import InvalidPathError, URLBuildError
from covet.router.converters import registered_converters
from covet.router.paths import ParamSegment, PathPattern, StaticSegment, compile_path


def compile_(pattern: str) -> PathPattern:
    return compile_path(pattern, registered_converters())


class TestCompile:
    def test_static_pattern(self) -> None:
        pattern = compile_("/users/me")
        assert pattern.pattern == "/users/me"
        assert pattern.segments == (StaticSegment("users"), StaticSegment("me"))
        assert pattern.is_static
        assert pattern.param_names == ()

    def test_root_and_trailing_slash_are_empty_static_segments(self) -> None:
        assert compile_("/").segments == (StaticSegment(""),)
        assert compile_("/users/").segments == (StaticSegment("users"), StaticSegment(""))

    def test_parameters_default_to_str(self) -> None:
        pattern = compile_("/users/{user_id}/posts/{post_id:int}")
        user, post = pattern.segments[1], pattern.segments[3]
        assert isinstance(user, ParamSegment)
        assert isinstance(post, ParamSegment)
        assert (user.name, user.converter_name) == ("user_id", "str")
        assert (post.name, post.converter_name) == ("post_id", "int")
        assert post.converter is registered_converters()["int"]
        assert pattern.param_names == ("user_id", "post_id")
        assert not pattern.is_static

    def test_shape_ignores_parameter_names_but_not_converters(self) -> None:
        assert compile_("/u/{id:int}").shape == compile_("/u/{pk:int}").shape
        assert compile_("/u/{id:int}").shape != compile_("/u/{id}").shape
        assert compile_("/u/{id}").shape != compile_("/u/id").shape

    def test_priority_specific_then_str_then_slash_matching(self) -> None:
        def priority(pattern: str) -> tuple[int, int]:
            segment = compile_(pattern).segments[0]
            assert isinstance(segment, ParamSegment)
            return segment.priority

        ordered = sorted(["/{a:path}", "/{a}", "/{a:uuid}", "/{a:float}", "/{a:int}"], key=priority)
        assert ordered == ["/{a:int}", "/{a:float}", "/{a:uuid}", "/{a}", "/{a:path}"]

    def test_path_may_be_the_last_segment(self) -> None:
        pattern = compile_("/static/{file:path}")
        assert pattern.param_names == ("file",)


class TestInvalidPatterns:
    @pytest.mark.parametrize(
        ("pattern", "problem"),
        [
            ("users", "it must start with '/'"),
            ("", "it must start with '/'"),
            ("/files/{name}.{ext}", "a parameter must fill a whole segment"),
            ("/a{b}", "segment 'a{b}' mixes a parameter with other text"),
            ("/{b}x", "a parameter must fill a whole segment"),
            ("/{a", "unbalanced braces in segment '{a'"),
            ("/a}", "unbalanced braces in segment 'a}'"),
            ("/}a{", "unbalanced braces"),
            ("/{{a}}", "nested braces"),
            ("/{}", "parameter name '' is not a valid Python identifier"),
            ("/{1st}", "parameter name '1st' is not a valid Python identifier"),
            ("/{user-id}", "parameter name 'user-id' is not a valid Python identifier"),
            ("/{a:}", "missing converter name after ':'"),
            ("/{a:slug}", "unknown converter 'slug' in '{a:slug}'; known: str, int, float"),
            ("/{a}/{a:int}", "the parameter 'a' appears twice"),
            ("/{rest:path}/edit", "{rest:path} matches slashes, so it must be the last segment"),
            ("/\ud800", "cannot be encoded as UTF-8"),
        ],
    )
    def test_error_names_pattern_and_problem(self, pattern: str, problem: str) -> None:
        with pytest.raises(InvalidPathError) as info:
            compile_(pattern)
        message = str(info.value)
        assert message.startswith(f"invalid path pattern {pattern!r}: ")
        assert problem in message

    def test_pattern_must_be_a_str(self) -> None:
        with pytest.raises(InvalidPathError, match="must be a str"):
            compile_(b"/users")  # type: ignore[arg-type]


class TestBuild:
    def build(self, pattern: str, **params: Any) -> str:
        return compile_(pattern).build(params, label="route 'r'")

    def test_static(self) -> None:
        assert self.build("/users/me") == "/users/me"
        assert self.build("/") == "/"

    def test_static_text_is_quoted_but_keeps_path_punctuation(self) -> None:
        assert self.build("/v1/things:batch") == "/v1/things:batch"
        assert self.build("/caf\u00e9 menu") == "/caf%C3%A9%20menu"

    def test_one_segment_values_are_quoted_with_nothing_safe(self) -> None:
        assert self.build("/u/{name}", name="a b/c?d#e") == "/u/a%20b%2Fc%3Fd%23e"

    def test_path_values_keep_their_slashes(self) -> None:
        assert self.build("/s/{file:path}", file="css/a b.css") == "/s/css/a%20b.css"
        assert self.build("/s/{file:path}", file="") == "/s/"

    def test_converted_values(self) -> None:
        value = uuid.UUID(int=255)
        assert self.build("/i/{n:int}/{x:float}/{u:uuid}", n=7, x=0.5, u=value) == (
            f"/i/7/0.5/{value}"
        )

    def test_missing_parameters_are_named(self) -> None:
        with pytest.raises(URLBuildError) as info:
            self.build("/u/{a}/{b:int}", a="x")
        assert str(info.value) == (
            "cannot build route 'r' ('/u/{a}/{b:int}'): missing 'b' (it takes a, b)"
        )

    def test_unexpected_parameters_are_named(self) -> None:
        with pytest.raises(URLBuildError, match=r"unexpected 'c', 'd' \(it takes a\)"):
            self.build("/u/{a}", a="x", c=1, d=2)
        with pytest.raises(URLBuildError, match=r"unexpected 'a' \(it takes no parameters\)"):
            self.build("/u", a="x")

    def test_missing_and_unexpected_together(self) -> None:
        with pytest.raises(URLBuildError, match="missing 'a'; unexpected 'b'"):
            self.build("/u/{a}", b="x")

    def test_refused_value_names_param_converter_value_and_type(self) -> None:
        with pytest.raises(URLBuildError) as info:
            self.build("/u/{user_id:int}", user_id="42")
        message = str(info.value)
        assert "'int' converter refuses user_id='42' (str)" in message
        assert "expected an int" in message
        assert isinstance(info.value.__cause__, TypeError)

    def test_value_that_is_not_utf8_encodable(self) -> None:
        with pytest.raises(URLBuildError, match=re.escape("refuses name='\\ud800' (str)")):
            self.build("/u/{name}", name="\ud800")
