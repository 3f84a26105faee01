"""The writer: operations -> the text of a migration file a person can read and edit.

A generated file looks like one written by hand::

    \"\"\"Add column author.email.\"\"\"

    from covet.migrations import AddColumn, Column

    dependencies = ["0001_initial"]

    operations = [
        AddColumn("author", Column("email", "CharField", max_length=200, null=True)),
    ]

Nothing in it refers to the models: every column is spelled out, so the file keeps meaning the
same thing after the models change again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from covet.migrations.loader import Migration
from covet.migrations.operations import Operation
from covet.migrations.state import source

__all__ = ["migration_name", "render_migration", "write_migration"]


def render_migration(
    operations: Sequence[Operation],
    *,
    dependencies: Sequence[str],
    replaces: Sequence[str] = (),
    docstring: str = "",
) -> str:
    """The Python source of a migration file."""
    body = [f"    {operation.render()}," for operation in operations]
    names = {type(operation).__name__ for operation in operations}
    names |= {"Column"} if any(re.search(r"\bColumn\(", line) for line in body) else set()
    imports = f"from covet.migrations import {', '.join(sorted(names))}" if names else ""
    lines = [f'"""{docstring or summary(operations)}"""', "", *([imports, ""] if imports else [])]
    lines.append(f"dependencies = {source(list(dependencies))}")
    if replaces:
        lines.append(f"replaces = {source(list(replaces))}")
    lines += ["", "operations = ["]
    lines += body
    lines += ["]", ""]
    return "\n".join(lines)


def summary(operations: Sequence[Operation]) -> str:
    """The file's docstring: the operation, or a first line and one line per operation."""
    if not operations:
        return "An empty migration: add operations (RunSQL, RunPython...) by hand."
    if len(operations) == 1:
        return operations[0].describe() + "."
    lines = "".join(f"- {operation.describe()}\n" for operation in operations)
    return f"{operations[0].describe()}, and more.\n\n{lines}"


def migration_name(number: int, operations: Sequence[Operation], name: str | None = None) -> str:
    """``0003_add_column_author_email`` (from the first operation unless ``name`` is given)."""
    if name is None:
        name = "empty" if not operations else "initial" if number == 1 else operations[0].describe()
        if len(operations) > 1 and number != 1:
            name += "_and_more"
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:60] or "migration"
    return f"{number:04d}_{slug}"


def write_migration(
    directory: Path,
    operations: Sequence[Operation],
    *,
    existing: Sequence[Migration],
    name: str | None = None,
) -> Path:
    """Write the next migration file into ``directory`` (made if missing); return its path."""
    number = max((m.number for m in existing), default=0) + 1
    # The new file follows the last migration the others lead to.
    leaves = [m.name for m in existing if not any(m.name in o.dependencies for o in existing)]
    replaced = {r for m in existing for r in m.replaces}
    dependencies = [leaf for leaf in leaves if leaf not in replaced][-1:]
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{migration_name(number, operations, name)}.py"
    path.write_text(render_migration(operations, dependencies=dependencies), encoding="utf-8")
    return path
