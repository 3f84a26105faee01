"""``python -m covet.migrations make|apply|rollback|show|sql|squash|check|db``.

The same commands as ``covet migrations ...``, for a project that installs covet-orm and
covet-migrations without the covetpy command.
"""

from __future__ import annotations

import sys

from covet.migrations.cli import main

if __name__ == "__main__":
    sys.exit(main())
