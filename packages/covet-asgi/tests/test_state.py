"""covet/asgi/state.py: State, the attribute bag."""

from __future__ import annotations

import copy
import pickle

import pytest

from covet.asgi.state import State


def test_state_holds_attributes() -> None:
    state = State({"debug": True})
    state.pool = "a pool"
    assert state.pool == "a pool"
    assert state.debug is True
    assert "pool" in state
    assert "other" not in state
    assert repr(state) == "State({'debug': True, 'pool': 'a pool'})"
    del state.pool
    assert "pool" not in state


def test_state_names_a_missing_attribute_and_what_is_set() -> None:
    state = State()
    state.db = object()
    with pytest.raises(AttributeError, match=r"'user' \(set: db\)"):
        _ = state.user
    with pytest.raises(AttributeError, match="'user'"):
        del state.user


def test_state_survives_copy_and_pickle() -> None:
    state = State({"count": 3})
    assert copy.copy(state).count == 3
    assert pickle.loads(pickle.dumps(state)).count == 3


def test_state_over_a_dict_is_a_view_and_other_mappings_are_copied() -> None:
    from types import MappingProxyType

    backing: dict[str, object] = {"a": 1}
    view = State(backing)
    view.b = 2
    backing["c"] = 3
    assert backing == {"a": 1, "b": 2, "c": 3}
    assert view.c == 3

    frozen = MappingProxyType({"a": 1})
    copy = State(frozen)
    copy.b = 2
    assert dict(frozen) == {"a": 1}
