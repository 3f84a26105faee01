"""The two ways a backup or a restore fails."""

from __future__ import annotations

__all__ = ["BackupError", "VerificationError"]


class BackupError(Exception):
    """A backup or restore could not be done; the message says what and where, on one line."""


class VerificationError(BackupError):
    """A restore finished but the database does not hold what the backup held.

    ``problems`` lists one line per table that differs (see
    :func:`~covet.migrations.backup.checksums.compare_summaries`).
    """

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems
