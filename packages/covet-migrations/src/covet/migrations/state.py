"""State: what the schema looks like, as plain data that can be compared.

Migrations never look at model classes to decide what to do. Both sides of every comparison
are a :class:`ProjectState` (a dict of :class:`Table`, each a list of :class:`Column` and its
unique-together groups):

- :func:`state_from_models` reads it off the model classes (what the code wants);
- replaying the operations of the migration files, each one's ``state_forwards``, gives what
  the migrations have built so far (``loader.py``).

The autodetector compares the two, and the runner uses the state before and after each
migration to write its SQL. A :class:`Column` is also what a migration file spells out
(``Column("email", "CharField", max_length=200, null=True)``), so a file describes its
columns completely and never imports the models: a model may change later, a migration may not.

The ``kind`` of a column is the ORM field class name that gives the column its type
(``CharField``, ``IntegerField``...). A ForeignKey's column takes its target key's type, so its
kind is that (``IntegerField`` for an ``AutoField`` key) plus ``references``.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from covet.orm import fields as orm_fields
from covet.orm.fields import NOT_PROVIDED
from covet.orm.relations import ForeignKey

if TYPE_CHECKING:
    from covet.orm.fields import Field
    from covet.orm.models import Model

__all__ = [
    "Column",
    "ProjectState",
    "Table",
    "column_from_field",
    "source",
    "state_from_models",
    "table_from_model",
]

#: Defaults a migration file can spell as a literal (and a database can store as given).
LITERAL_TYPES = (bool, int, float, str, bytes)


@dataclass(frozen=True)
class Column:
    """One column: its name, its ORM kind and type parameters, and its options.

    ``default`` is only used to fill existing rows when a NOT NULL column is added or a column
    becomes NOT NULL (the ORM applies defaults in Python, so the table keeps none). It is None
    when the model's default is not a literal (a function such as ``uuid.uuid4``).
    ``references`` is ``(table, column)`` for a foreign key, with ``on_delete``.
    """

    name: str
    kind: str
    max_length: int | None = None
    max_digits: int | None = None
    decimal_places: int | None = None
    null: bool = False
    default: Any = None
    unique: bool = False
    index: bool = False
    primary_key: bool = False
    references: tuple[str, str] | None = None
    on_delete: str | None = None

    def render(self) -> str:
        """The Python source a migration file uses for this column (non-default options only)."""
        options = [source(self.name), source(self.kind)]
        for option in dataclasses.fields(self)[2:]:
            value = getattr(self, option.name)
            if value != option.default:
                options.append(f"{option.name}={source(value)}")
        return f"Column({', '.join(options)})"

    def replace(self, **changes: Any) -> Column:
        """A copy with ``changes`` applied (columns are immutable)."""
        return dataclasses.replace(self, **changes)

    def type_parameters(self) -> dict[str, Any]:
        """The options that go into the column type: ``max_length``, ``max_digits``..."""
        names = ("max_length", "max_digits", "decimal_places")
        return {name: getattr(self, name) for name in names if getattr(self, name) is not None}

    def to_field(self) -> Field:
        """An unbound ORM field with this column's options, for covet.orm's DDL helpers.

        Built from the field class named by ``kind``, so the column type is whatever the ORM
        dialect says it is for that class: one source of truth for column types.
        """
        field_class = getattr(orm_fields, self.kind, None)
        if not (isinstance(field_class, type) and issubclass(field_class, orm_fields.Field)):
            raise ValueError(f"column {self.name!r}: unknown field kind {self.kind!r}")
        options: dict[str, Any] = {
            "null": self.null,
            "db_column": self.name,
            "unique": self.unique,
            "primary_key": self.primary_key,
        }
        made: Field = field_class(**options, **self.type_parameters())
        return made


@dataclass
class Table:
    """One table: its name, its columns in order, and its unique-together groups.

    A unique-together group (a model's ``__unique_together__``) is a tuple of column names
    whose values, taken together, appear at most once in the table: a many-to-many through
    table links each pair once. Single-column uniqueness stays on the column (``unique=True``).
    """

    name: str
    columns: list[Column] = field(default_factory=list)
    unique_together: list[tuple[str, ...]] = field(default_factory=list)

    def column(self, name: str) -> Column:
        """The column called ``name`` (KeyError naming the table if there is none)."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"table {self.name!r} has no column {name!r}")

    def has_column(self, name: str) -> bool:
        return any(column.name == name for column in self.columns)

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    def references(self) -> set[str]:
        """The other tables this table's foreign keys point at."""
        return {
            c.references[0] for c in self.columns if c.references and c.references[0] != self.name
        }

    def with_columns(self, columns: list[Column]) -> Table:
        """The same table (name and groups) with other columns: a rebuild's target."""
        return Table(self.name, columns, list(self.unique_together))

    def with_column_renamed(self, old: str, new: str) -> Table:
        """The table after column ``old`` becomes ``new``, in its groups too."""
        self.column(old)
        return Table(
            self.name,
            [c.replace(name=new) if c.name == old else c for c in self.columns],
            [tuple(new if c == old else c for c in group) for group in self.unique_together],
        )

    def groups_with(self, column: str) -> list[tuple[str, ...]]:
        """The unique-together groups that hold ``column``."""
        return [group for group in self.unique_together if column in group]


@dataclass
class ProjectState:
    """Every table of the project, by name."""

    tables: dict[str, Table] = field(default_factory=dict)

    def clone(self) -> ProjectState:
        """A deep copy: operations change a clone, never the state they were given."""
        return copy.deepcopy(self)

    def table(self, name: str) -> Table:
        try:
            return self.tables[name]
        except KeyError:
            known = ", ".join(sorted(self.tables)) or "none"
            raise KeyError(f"no table {name!r} in the migration state (tables: {known})") from None


def source(value: Any) -> str:
    """Python source for a literal, strings in double quotes (as code formatters write them).

    A JSON string is also a valid Python string literal, escapes included.
    """
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        items = ", ".join(source(item) for item in value)
        if isinstance(value, list):
            return f"[{items}]"
        return f"({items}{',' if len(value) == 1 else ''})"
    return repr(value)


def column_from_field(field: Field) -> Column:
    """The :class:`Column` a model field makes."""
    type_field = field.db_type_field()
    parameters = type_field.type_parameters()
    default = field.default if isinstance(field.default, LITERAL_TYPES) else None
    if field.default is NOT_PROVIDED:
        default = None
    references: tuple[str, str] | None = None
    on_delete: str | None = None
    if isinstance(field, ForeignKey):
        target = field.target._meta
        references, on_delete = (target.table_name, target.pk.column), field.on_delete
    return Column(
        name=field.column,
        kind=type_field.kind,
        max_length=parameters.get("max_length"),
        max_digits=parameters.get("max_digits"),
        decimal_places=parameters.get("decimal_places"),
        null=field.null and not field.primary_key,
        default=default,
        unique=field.unique and not field.primary_key,
        index=field.index and not field.unique and not field.primary_key,
        primary_key=field.primary_key,
        references=references,
        on_delete=on_delete,
    )


def state_from_models(models: Iterable[type[Model]]) -> ProjectState:
    """The state the models describe, with the tables they need: the models their foreign
    keys point at, and the many-to-many through tables."""
    state = ProjectState()
    for model in _with_related_models(models):
        meta = model._meta
        if meta.abstract:
            continue
        state.tables[meta.table_name] = table_from_model(model)
    return state


def table_from_model(model: type[Model]) -> Table:
    """The table a model makes: a column per field, and its ``__unique_together__`` groups
    (named by their columns: ``("course", "student")`` is ``("course_id", "student_id")``)."""
    meta = model._meta
    columns = [column_from_field(f) for f in meta.fields]
    # dict.fromkeys: a group declared twice is one constraint.
    groups = list(
        dict.fromkeys(
            tuple(meta.get_field(n).column for n in names) for names in meta.unique_together
        )
    )
    # A group of one column is that column's unique=True: the same constraint, spelled the
    # way the rest of the state spells it (a primary key is unique already).
    alone = {group[0] for group in groups if len(group) == 1}
    columns = [
        c.replace(unique=True, index=False) if c.name in alone and not c.primary_key else c
        for c in columns
    ]
    return Table(meta.table_name, columns, [group for group in groups if len(group) > 1])


def _with_related_models(models: Iterable[type[Model]]) -> list[type[Model]]:
    found: dict[str, type[Model]] = {}
    waiting = list(models)
    while waiting:
        model = waiting.pop(0)
        if model._meta.table_name in found:
            continue
        found[model._meta.table_name] = model
        waiting += [f.target for f in model._meta.fields if isinstance(f, ForeignKey)]
        waiting += [m2m.through for m2m in model._meta.many_to_many if m2m.through is not None]
    return list(found.values())


def tables_in_dependency_order(tables: Mapping[str, Table]) -> list[Table]:
    """Tables ordered so that each comes after the tables its foreign keys point at."""
    ordered: list[Table] = []
    placed: set[str] = set()
    pending = sorted(tables)
    while pending:
        ready = [n for n in pending if not tables[n].references() & set(pending)]
        # A cycle of foreign keys: take the rest in name order. SQLite accepts it (it checks
        # keys when rows are written); PostgreSQL and MySQL refuse the CREATE TABLE naming a
        # table not made yet. A limit: migrations never add such a constraint afterwards.
        for name in ready or pending:
            ordered.append(tables[name])
            placed.add(name)
        pending = [n for n in pending if n not in placed]
    return ordered
