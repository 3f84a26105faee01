"""covet-migrations: schema changes that reach a live database safely, and backups."""

from __future__ import annotations

from covet.migrations.__about__ import __version__

__all__ = ["__version__"]
