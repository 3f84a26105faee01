"""add_vary: merge a name into Vary without losing or repeating any."""

from __future__ import annotations

import pytest

from covet.asgi import MutableHeaders
from covet.asgi.middleware.vary import add_vary


@pytest.mark.parametrize(
    ("existing", "expected"),
    [
        ([], "Origin"),
        (["Accept-Encoding"], "Accept-Encoding, Origin"),
        (["accept-encoding, origin"], "accept-encoding, origin"),  # present in any case
        (["Cookie", "Accept-Language"], "Cookie, Accept-Language, Origin"),  # lines joined
        (["Cookie,, "], "Cookie, Origin"),  # empty items dropped
    ],
)
def test_the_name_is_merged_into_one_line(existing: list[str], expected: str) -> None:
    headers = MutableHeaders()
    for value in existing:
        headers.append("Vary", value)
    add_vary(headers, "Origin")
    assert headers.getlist("vary") == [expected]


def test_a_star_already_says_everything() -> None:
    headers = MutableHeaders({"Vary": "*"})
    add_vary(headers, "Origin")
    assert headers.getlist("vary") == ["*"]
