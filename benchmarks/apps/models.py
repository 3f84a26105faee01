"""The pydantic model every framework validates the ``post_body`` scenario's body with.

Imported only by the apps of that scenario, so the other apps (and the memory figures of the
hello app) do not carry pydantic unless the framework itself imports it.
"""

from __future__ import annotations

from pydantic import BaseModel

__all__ = ["Item"]


class Item(BaseModel):
    name: str
    price: float
    tags: list[str] = []
