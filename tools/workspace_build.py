"""The build backend of the root project: hatchling, except that editable installs are refused.

``pip install .`` at the root builds a wheel with no code whose dependencies are the packages
under ``packages/``, by path, so pip installs each of them properly. ``pip install -e .``
cannot work the same way: pip installs dependencies as copies, never editable, so every edit
under ``packages/*/src`` would be silently ignored. Instead of that false success, the
editable hooks stop with the command that does give an editable install of every package.
"""

from __future__ import annotations

from typing import Any, NoReturn

# Every hook hatchling offers, as hatchling defines them (it adds the prepare_metadata_*
# hooks only where pip can use them), then the three editable ones replaced below.
from hatchling.build import *  # noqa: F403

EDITABLE_REFUSED = """
CovetPy's repository root is a workspace of separate distributions (packages/*), and an
editable install of the root cannot make them editable. Use one of:

    python -m pip install -r requirements-dev.txt     every package editable, every extra
    python -m pip install ".[full]"                   every package installed, every extra
    python3 tools/bootstrap.py run test:all           the workspace's own environments (hatch)
"""


def _refuse(*_arguments: Any, **_keywords: Any) -> NoReturn:
    raise SystemExit(EDITABLE_REFUSED)


get_requires_for_build_editable = _refuse
prepare_metadata_for_build_editable = _refuse
build_editable = _refuse
