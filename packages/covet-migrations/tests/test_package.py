"""covet-migrations is a portion of the ``covet`` namespace that needs only covet-orm."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import covet.migrations


def test_is_a_namespace_portion_shipping_no_covet_init() -> None:
    source = Path(covet.migrations.__file__).resolve().parent.parent
    assert not (source / "__init__.py").exists()
    assert covet.migrations.__version__ == "0.1.0"


def test_the_web_side_is_not_needed() -> None:
    # The migrations environment installs covet-orm and covet-migrations only.
    assert importlib.util.find_spec("covet.orm") is not None
    assert importlib.util.find_spec("covet.asgi") is None
