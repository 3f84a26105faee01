"""Turn an import string such as ``"examples.hello.app:app"`` into the object it names.

Every failure becomes an :class:`AppLoadError` whose message is one line saying what was
looked for and where, so a command can print it as is instead of a traceback. Commands that
load an app take it from the command line through :func:`add_app_arguments`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

__all__ = ["AppLoadError", "add_app_arguments", "add_app_dir", "load_app", "split_import_string"]


class AppLoadError(Exception):
    """The import string is malformed, or its module or attribute cannot be loaded."""


def split_import_string(import_string: str) -> tuple[str, str]:
    """Split ``"package.module:attribute"`` into its module and attribute parts."""
    module_name, colon, attribute = import_string.partition(":")
    if not colon or not module_name.strip() or not attribute.strip():
        raise AppLoadError(
            f"import string {import_string!r} must be 'module:attribute', "
            "for example 'examples.hello.app:app'"
        )
    return module_name.strip(), attribute.strip()


def add_app_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the two arguments that name an app: ``MODULE:ATTRIBUTE`` and ``--app-dir``.

    Every command that loads an app declares them through this function, so that they are
    spelt, defaulted and explained alike: ``args.app`` is the import string for
    :func:`load_app`, ``args.app_dir`` the directory for its ``app_dir``.
    """
    parser.add_argument(
        "app", metavar="MODULE:ATTRIBUTE", help="the app to load, e.g. examples.hello.app:app"
    )
    parser.add_argument(
        "--app-dir",
        default=".",
        help="directory put first on sys.path to find the module (default: %(default)s)",
    )


def add_app_dir(app_dir: str) -> str:
    """Put ``app_dir`` first on ``sys.path`` (as uvicorn's ``--app-dir`` does).

    The path is made absolute so that it still means the same directory in a reloader or
    worker process started from another working directory. Returns that absolute path.
    """
    absolute = os.path.abspath(app_dir)
    if absolute not in sys.path:
        sys.path.insert(0, absolute)
    return absolute


def load_app(import_string: str, app_dir: str | None = ".") -> object:
    """Import the module of ``import_string`` and return the attribute it names.

    ``app_dir`` (the current directory by default) is searched first, so an app in the
    working directory is found even when the ``covet`` script was started from elsewhere
    on PATH. Dotted attributes (``"module:factory.app"``) are followed one by one.
    """
    module_name, attribute = split_import_string(import_string)
    searched = add_app_dir(app_dir) if app_dir is not None else "sys.path"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        # Only a missing *target* module is "not found"; a missing dependency imported by
        # the user's module is that module's own error and is reported as such.
        if exc.name is not None and (module_name + ".").startswith(exc.name + "."):
            raise AppLoadError(
                f"could not find module {module_name!r} (searched {searched} first)"
            ) from exc
        raise AppLoadError(
            f"importing module {module_name!r} failed: ModuleNotFoundError: {exc}"
        ) from exc
    except Exception as exc:
        raise AppLoadError(
            f"importing module {module_name!r} failed: {type(exc).__name__}: {exc}"
        ) from exc

    value: object = module
    for part in attribute.split("."):
        try:
            value = getattr(value, part)
        except AttributeError:
            raise AppLoadError(f"module {module_name!r} has no attribute {attribute!r}") from None
    return value
