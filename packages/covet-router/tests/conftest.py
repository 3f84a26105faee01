"""Fixtures shared by the covet-router tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from covet.router import converters


@pytest.fixture
def clean_registry() -> Iterator[None]:
    """Let a test register global converters without leaking them into other tests."""
    saved = dict(converters._REGISTRY)
    yield
    converters._REGISTRY.clear()
    converters._REGISTRY.update(saved)
