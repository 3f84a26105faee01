"""``python -m covet.cli``: the ``covet`` script without relying on PATH."""

from covet.cli import main

raise SystemExit(main())
