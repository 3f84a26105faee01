"""The install command for an optional part of covet-orm that is missing.

An extra such as ``covet-orm[postgres]`` is only a name for a few requirements; the command
that always works, wherever covet-orm came from (a checkout, a wheel, an index), installs
those requirements into the running interpreter. They are read from covet-orm's own
installed metadata, so the message can never disagree with ``pyproject.toml``.
"""

from __future__ import annotations

import re
import shlex
import sys

__all__ = ["install_command"]


def install_command(extra: str, distribution: str = "covet-orm") -> str:
    """``<this python> -m pip install <the requirements of distribution[extra]>``."""
    # Imported here: importlib.metadata pulls in email and tempfile, which importing the
    # package must not cost.
    import importlib.metadata

    marker = re.compile(rf"""extra\s*==\s*['"]{re.escape(extra)}['"]""")
    try:
        declared = importlib.metadata.requires(distribution) or []
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - always installed
        declared = []
    wanted = [line.split(";")[0].strip() for line in declared if marker.search(line)]
    targets = wanted or [f"{distribution}[{extra}]"]
    quoted = " ".join(shlex.quote(target) for target in targets)
    return f"{shlex.quote(sys.executable)} -m pip install {quoted}"
