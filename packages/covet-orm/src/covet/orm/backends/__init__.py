"""The backends: one module per database, all behind the interface in ``base``.

:func:`create_backend` imports a backend only when a URL asks for it, so the
PostgreSQL and MySQL drivers stay optional extras: ``pip install covet-orm``
brings SQLite only, and a ``postgresql://`` URL without the extra fails with
the command that installs it.
"""

from __future__ import annotations

import importlib

from covet.orm.backends.base import Backend, Connection, ExecuteResult, Params, Row
from covet.orm.errors import DatabaseConfigError
from covet.orm.extras import install_command
from covet.orm.urls import DatabaseURL

__all__ = ["Backend", "Connection", "ExecuteResult", "Params", "Row", "create_backend"]

#: backend name -> (module, class, the extra that installs its driver)
BACKENDS: dict[str, tuple[str, str, str | None]] = {
    "sqlite": ("covet.orm.backends.sqlite", "SQLiteBackend", None),
    "postgresql": ("covet.orm.backends.postgres", "PostgresBackend", "postgres"),
    "mysql": ("covet.orm.backends.mysql", "MySQLBackend", "mysql"),
}


def create_backend(url: DatabaseURL) -> Backend:
    """The backend for a parsed URL (not yet open)."""
    module_name, class_name, extra = BACKENDS[url.backend]
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        # SQLite's driver (aiosqlite) is a dependency of covet-orm itself, not an extra.
        fix = install_command(extra) if extra else "reinstall covet-orm with its dependencies"
        raise DatabaseConfigError(
            f"{url.backend} URL {url} needs its driver, which is not installed ({error}): {fix}"
        ) from error
    backend_class: type[Backend] = getattr(module, class_name)
    return backend_class(url)
