"""``State``: a bag of attributes for the application's or a request's own values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["State"]


class State:
    """An attribute bag: ``state.db = pool`` now, ``state.db`` later.

    The application keeps one for shared objects set up at startup (connection pools, clients);
    each request gets one for values middleware computes for the handlers (the current user).
    Reading an attribute that was never set raises ``AttributeError`` naming it and listing
    what is set, which usually points at a middleware or startup hook that did not run.

    Given a ``dict``, the state is a view over it and writes go into it: a request's state
    wraps ``scope["state"]``, so a pure ASGI middleware that writes the scope and a handler
    that reads ``request.state`` see the same values. Any other mapping is copied.
    """

    _state: dict[str, Any]

    def __init__(self, state: Mapping[str, Any] | None = None) -> None:
        backing = state if isinstance(state, dict) else dict(state or {})
        # object.__setattr__ because our own __setattr__ writes into _state, not the instance.
        object.__setattr__(self, "_state", backing)

    def __setattr__(self, name: str, value: Any) -> None:
        self._state[name] = value

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails. vars() avoids recursing into __getattr__ while
        # an instance is being copied or unpickled and _state is not there yet.
        state: dict[str, Any] = vars(self).get("_state", {})
        try:
            return state[name]
        except KeyError:
            known = ", ".join(sorted(state)) or "nothing yet"
            raise AttributeError(
                f"State has no attribute {name!r} (set: {known}); "
                f"assign it first, e.g. state.{name} = ..."
            ) from None

    def __delattr__(self, name: str) -> None:
        try:
            del self._state[name]
        except KeyError:
            raise AttributeError(f"State has no attribute {name!r}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._state

    def __repr__(self) -> str:
        return f"State({self._state!r})"
