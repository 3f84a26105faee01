"""covet/asgi/datastructures.py: the value types under their one familiar import."""

from __future__ import annotations

import covet.asgi.datastructures as datastructures
from covet.asgi.headers import Headers, MutableHeaders
from covet.asgi.multidict import ImmutableMultiDict
from covet.asgi.queryparams import QueryParams, parse_query_string
from covet.asgi.state import State
from covet.asgi.url import URL, Address


def test_each_name_is_the_object_of_its_own_module() -> None:
    expected = {
        "Headers": Headers,
        "MutableHeaders": MutableHeaders,
        "ImmutableMultiDict": ImmutableMultiDict,
        "QueryParams": QueryParams,
        "parse_query_string": parse_query_string,
        "URL": URL,
        "Address": Address,
        "State": State,
    }
    assert sorted(datastructures.__all__) == sorted(expected)
    for name, value in expected.items():
        assert getattr(datastructures, name) is value, name
