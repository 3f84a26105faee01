"""Path patterns: compile ``"/users/{user_id:int}"`` into segments, and build URLs back.

A pattern is split on ``/`` into segments. Each segment is either static text (``users``)
or exactly one parameter (``{user_id:int}``). A parameter must fill its whole segment:
``{name}.{ext}`` is refused, because a segment-by-segment matcher (see ``tree.py``) can then
compare whole segments, with no regex spanning several parameters.

Compiling happens once, when a route is registered, so every mistake in a pattern is reported
there, with the pattern and the problem in the message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from covet.router.converters import Converter
from covet.router.errors import InvalidPathError, URLBuildError

__all__ = [
    "StaticSegment",
    "ParamSegment",
    "Segment",
    "PathPattern",
    "compile_path",
    "quote_static",
]

# Characters RFC 3986 allows unescaped in a path segment besides letters, digits and "-._~".
# Static text keeps them readable ("/v1/things:batch"); parameter values are quoted with
# safe="" instead, so a value can never change the meaning of the URL around it.
_STATIC_SAFE = "/!$&'()*+,;=:@"

_DEFAULT_CONVERTER = "str"


@dataclass(frozen=True, slots=True)
class StaticSegment:
    """A segment that must equal ``text`` exactly (the empty string for a trailing slash)."""

    text: str


@dataclass(frozen=True, slots=True)
class ParamSegment:
    """A ``{name:converter_name}`` segment.

    ``rank`` is the converter's position in its router's converter table (registration
    order); with ``priority`` it decides which parameter is tried first in the tree.
    """

    name: str
    converter_name: str
    converter: Converter = field(compare=False)
    rank: int = field(compare=False)
    regex: re.Pattern[str] = field(compare=False, repr=False)

    @property
    def priority(self) -> tuple[int, int]:
        """Sort key: specific converters first, then ``str``, then slash-matching ones."""
        if self.converter.matches_slash:
            group = 2
        elif self.converter_name == _DEFAULT_CONVERTER:
            group = 1
        else:
            group = 0
        return (group, self.rank)


Segment = StaticSegment | ParamSegment


@dataclass(frozen=True, slots=True)
class PathPattern:
    """A compiled pattern: the text as written and its segments."""

    pattern: str
    segments: tuple[Segment, ...]
    param_names: tuple[str, ...] = field(init=False, compare=False, repr=False)
    """The parameter names in path order."""

    def __post_init__(self) -> None:
        # Every match of a dynamic route reads the names to label its values: computed once
        # here rather than by walking the segments per request. The dataclass is frozen, so
        # the field is set the way its generated __init__ sets the others.
        names = tuple(seg.name for seg in self.segments if isinstance(seg, ParamSegment))
        object.__setattr__(self, "param_names", names)

    @property
    def is_static(self) -> bool:
        """True when the pattern has no parameter, so it matches exactly one path."""
        return all(isinstance(seg, StaticSegment) for seg in self.segments)

    @property
    def shape(self) -> tuple[str, ...]:
        """What the pattern matches, with the parameter names left out.

        ``/users/{id:int}`` and ``/users/{pk:int}`` have the same shape, so they match
        exactly the same paths: the router uses this to detect unreachable routes.
        """
        return tuple(
            "/" + seg.text if isinstance(seg, StaticSegment) else "{:" + seg.converter_name + "}"
            for seg in self.segments
        )

    def build(self, params: Mapping[str, Any], *, label: str) -> str:
        """The quoted path for ``params``; ``label`` names the route in error messages."""
        expected = self.param_names
        missing = [name for name in expected if name not in params]
        unexpected = [name for name in params if name not in expected]
        if missing or unexpected:
            problems = []
            if missing:
                problems.append("missing " + ", ".join(map(repr, missing)))
            if unexpected:
                problems.append("unexpected " + ", ".join(map(repr, unexpected)))
            wanted = ", ".join(expected) if expected else "no parameters"
            raise URLBuildError(
                f"cannot build {label} ({self.pattern!r}): {'; '.join(problems)} "
                f"(it takes {wanted})"
            )
        parts = []
        for seg in self.segments:
            if isinstance(seg, StaticSegment):
                parts.append(quote_static(seg.text))
                continue
            value = params[seg.name]
            try:
                text = seg.converter.to_string(value)
                # "/" stays literal only where the converter matches slashes ({x:path}).
                parts.append(quote(text, safe="/" if seg.converter.matches_slash else ""))
            except (TypeError, ValueError) as exc:  # UnicodeEncodeError is a ValueError
                raise URLBuildError(
                    f"cannot build {label} ({self.pattern!r}): the {seg.converter_name!r} "
                    f"converter refuses {seg.name}={value!r} ({type(value).__name__}): {exc}"
                ) from exc
        return "/" + "/".join(parts)


def quote_static(text: str) -> str:
    """Quote static path text (a pattern's literal segments, a mount prefix) for a URL."""
    return quote(text, safe=_STATIC_SAFE)


def compile_path(pattern: str, converters: Mapping[str, Converter]) -> PathPattern:
    """Compile ``pattern`` using ``converters`` (name -> converter, in priority order).

    Raises :class:`InvalidPathError` naming the pattern and the problem.
    """
    if not isinstance(pattern, str):
        raise InvalidPathError(f"a path pattern must be a str, got {pattern!r}")

    def fail(problem: str) -> InvalidPathError:
        return InvalidPathError(f"invalid path pattern {pattern!r}: {problem}")

    if not pattern.startswith("/"):
        raise fail("it must start with '/'")
    try:
        pattern.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise fail(f"it cannot be encoded as UTF-8 ({exc.reason})") from None

    ranks = {name: rank for rank, name in enumerate(converters)}
    segments: list[Segment] = []
    seen: set[str] = set()
    texts = pattern[1:].split("/")
    for position, text in enumerate(texts):
        segment = _parse_segment(text, converters, ranks, fail)
        if isinstance(segment, ParamSegment):
            if segment.name in seen:
                raise fail(f"the parameter {segment.name!r} appears twice")
            seen.add(segment.name)
            if segment.converter.matches_slash and position != len(texts) - 1:
                raise fail(
                    f"{{{segment.name}:{segment.converter_name}}} matches slashes, "
                    "so it must be the last segment"
                )
        segments.append(segment)
    return PathPattern(pattern, tuple(segments))


def _parse_segment(
    text: str,
    converters: Mapping[str, Converter],
    ranks: Mapping[str, int],
    fail: Callable[[str], InvalidPathError],
) -> Segment:
    if "{" not in text and "}" not in text:
        return StaticSegment(text)
    depth = 0
    for char in text:
        if char == "{":
            depth += 1
            if depth > 1:
                raise fail(f"nested braces in segment {text!r}")
        elif char == "}":
            depth -= 1
            if depth < 0:
                raise fail(f"unbalanced braces in segment {text!r}")
    if depth != 0:
        raise fail(f"unbalanced braces in segment {text!r}")
    if not (text.startswith("{") and text.endswith("}")) or text.count("{") != 1:
        raise fail(
            f"segment {text!r} mixes a parameter with other text; "
            "a parameter must fill a whole segment, like /files/{name}"
        )
    name, colon, converter_name = text[1:-1].partition(":")
    if not name.isidentifier():
        raise fail(f"parameter name {name!r} is not a valid Python identifier")
    if not colon:
        converter_name = _DEFAULT_CONVERTER
    elif not converter_name:
        raise fail(f"missing converter name after ':' in {text!r}")
    converter = converters.get(converter_name)
    if converter is None:
        known = ", ".join(converters)
        raise fail(f"unknown converter {converter_name!r} in {text!r}; known: {known}")
    return ParamSegment(
        name=name,
        converter_name=converter_name,
        converter=converter,
        rank=ranks[converter_name],
        regex=re.compile(converter.regex),
    )
