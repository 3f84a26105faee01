"""The errors covet-migrations raises. Each message says what happened and what to do."""

from __future__ import annotations

__all__ = [
    "AmbiguousRenameError",
    "ChecksumMismatchError",
    "MigrationError",
    "MigrationFailedError",
]


class MigrationError(Exception):
    """Base class: a migration cannot be made, loaded or run."""


class AmbiguousRenameError(MigrationError):
    """Columns or tables disappeared while others appeared: a rename or a drop and an add?"""


class ChecksumMismatchError(MigrationError):
    """An applied migration's file has changed since it ran."""


class MigrationFailedError(MigrationError):
    """A migration failed while running; ``applied`` lists the operations that took effect."""

    def __init__(self, message: str, *, applied: list[str]) -> None:
        super().__init__(message)
        self.applied = applied
