"""The Query: what a QuerySet means, as plain data, before any SQL exists.

A :class:`~covet.orm.queryset.QuerySet` is the API; each of its methods returns a new
QuerySet holding a changed copy of a :class:`Query`. The Query records *what* was asked:

- ``where`` / ``having``: trees of lookups (:class:`WhereNode`), AND/OR/NOT as in the Q objects;
- ``order_by``, ``low_mark``/``high_mark`` (from slicing), ``distinct``, ``select_for_update``;
- ``annotations`` (``annotate(n=Count("id"))``) and ``values_fields`` (``values("name")``).

Names are checked here, as soon as they are given: ``filter(agee=1)`` raises
:class:`~covet.orm.errors.FieldError` at the call, naming the model, the unknown name and
the valid choices. Nothing the user passes as a *name* ever reaches SQL text unchecked, and
values are kept aside to become bound parameters. ``compiler.py`` turns a Query into SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from covet.orm.dialects import check_identifier
from covet.orm.errors import FieldError
from covet.orm.expressions import Col, Expression, OrderBy, Q
from covet.orm.lookups import LOOKUPS, Lookup

if TYPE_CHECKING:
    from covet.orm.compiler import SQLCompiler
    from covet.orm.models import Model
    from covet.orm.relations import PathInfo

__all__ = ["LOOKUP_SEPARATOR", "MAX_ROW_NUMBER", "Query", "WhereNode"]

#: ``age__gte``: field name, separator, lookup name.
LOOKUP_SEPARATOR = "__"

#: The largest row number a slice may give LIMIT or OFFSET: a signed 64-bit integer is what
#: SQLite, PostgreSQL and MySQL all accept, and no table holds more rows.
MAX_ROW_NUMBER = 2**63 - 1


def key_of(value: Any) -> Any:
    """A model instance compared with a key column means its primary key."""
    return value.pk if hasattr(type(value), "_meta") else value


class WhereNode:
    """Conditions joined by AND or OR, possibly negated; children are lookups or nodes."""

    def __init__(
        self,
        children: list[Lookup | WhereNode] | None = None,
        connector: str = "AND",
        negated: bool = False,
    ) -> None:
        self.children = children or []
        self.connector = connector
        self.negated = negated

    def __repr__(self) -> str:
        inner = f" {self.connector} ".join(repr(child) for child in self.children)
        return f"{'NOT ' if self.negated else ''}({inner})"

    @property
    def contains_aggregate(self) -> bool:
        return any(
            child.contains_aggregate
            if isinstance(child, WhereNode)
            else child.lhs.contains_aggregate
            for child in self.children
        )

    def as_sql(self, compiler: SQLCompiler, *, inside_not: bool = False) -> tuple[str, list[Any]]:
        """``a = ? AND (b > ? OR c < ?)``; an empty node is ``""`` (no condition at all).

        Under an odd number of NOTs, a lookup on a nullable column also says
        ``col IS NOT NULL``: SQL's ``NOT (NULL = 'x')`` is NULL, not true, so without it
        ``exclude(name="x")`` would silently drop the rows whose name is NULL.
        """
        inside_not ^= self.negated
        parts: list[str] = []
        params: list[Any] = []
        for child in self.children:
            if isinstance(child, WhereNode):
                sql, child_params = child.as_sql(compiler, inside_not=inside_not)
                if not sql:
                    continue
                if len(child.children) > 1 and not child.negated:
                    sql = f"({sql})"
            else:
                sql, child_params = child.as_sql(compiler)
                if inside_not and child.nullable and child.lookup_name != "isnull":
                    column_sql, column_params = compiler.compile(child.lhs)
                    sql = f"({sql} AND {column_sql} IS NOT NULL)"
                    child_params = child_params + column_params
            parts.append(sql)
            params += child_params
        if not parts:
            return "", []
        sql = f" {self.connector} ".join(parts)
        return (f"NOT ({sql})" if self.negated else sql), params


@dataclass(frozen=True)
class Join:
    """``LEFT JOIN table alias ON alias.column = parent_alias.parent_column``."""

    alias: str
    table: str
    column: str
    parent_alias: str
    parent_column: str


@dataclass(frozen=True)
class RelatedSelection:
    """A model loaded by ``select_related``: its columns come from the JOIN ``alias``."""

    path: tuple[str, ...]
    model: type[Model]
    alias: str


class Query:
    """Everything a SELECT (or the WHERE of an UPDATE/DELETE) needs, for one model."""

    def __init__(self, model: type[Model]) -> None:
        self.model = model
        self.where = WhereNode()
        self.having = WhereNode()
        self.order_by: list[OrderBy] = []
        self.low_mark = 0
        self.high_mark: int | None = None
        self.distinct = False
        self.select_for_update = False
        self.annotations: dict[str, Expression] = {}
        #: Names selected by values()/values_list(); None selects the model's fields.
        self.values_fields: list[str] | None = None
        #: The relations followed so far: (relation names..., hop) -> its JOIN, in order.
        self.joins: dict[tuple[str | int, ...], Join] = {}
        #: Models loaded in the same SELECT (``select_related``), parents before children.
        self.related_selections: list[RelatedSelection] = []
        #: Relation paths loaded after the SELECT, one query per level (``prefetch_related``).
        self.prefetch: list[str] = []

    def clone(self) -> Query:
        """A copy whose lists can change without touching this one (nodes are shared:
        they are never changed once built)."""
        # A new object given this one's attributes, which is what copy.copy() does, without
        # its generic __reduce_ex__ protocol: a query is copied at every filter() and slice.
        clone = type(self).__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone.order_by = list(self.order_by)
        clone.annotations = dict(self.annotations)
        clone.values_fields = None if self.values_fields is None else list(self.values_fields)
        clone.joins = dict(self.joins)
        clone.related_selections = list(self.related_selections)
        clone.prefetch = list(self.prefetch)
        return clone

    @property
    def is_sliced(self) -> bool:
        return self.low_mark != 0 or self.high_mark is not None

    # --- names ----------------------------------------------------------------------------

    def choices(self, model: type[Model] | None = None) -> list[str]:
        """Every name a filter, F() or order_by may use (on ``model``, a related one)."""
        meta = (model or self.model)._meta
        annotations = self.annotations if model is None else {}
        return ["pk", *meta.fields_by_name, *meta.relations, *annotations]

    def resolve_name(self, name: str) -> Expression:
        """A name (``age``, ``author__name``, an annotation) -> its expression, or FieldError."""
        expression, rest = self.resolve_path(name.split(LOOKUP_SEPARATOR))
        if rest:
            raise FieldError(
                f"{self.model.__name__}: {name!r} does not name a field (a lookup cannot be "
                "used here)"
            )
        return expression

    def resolve_path(self, parts: list[str]) -> tuple[Expression, list[str]]:
        """``["author", "name", "iexact"]`` -> ``(Col(t1.name), ["iexact"])``.

        Each relation on the way becomes a JOIN (made once per path, reused after). A
        relation named last means its key: ``filter(author=ann)`` compares ``author_id``,
        ``filter(tags=tag)`` the joined tag's ``id``.
        """
        if "" in parts:
            # "title__" or "__x" is a typo, never a name: taken as "title" it would quietly
            # mean the exact lookup the user may not have meant.
            raise FieldError(
                f"{self.model.__name__}: {LOOKUP_SEPARATOR.join(parts)!r} has an empty name "
                f"before, between or after {LOOKUP_SEPARATOR!r}; choices are: "
                f"{', '.join(self.choices())}"
            )
        if parts[0] in self.annotations:
            return self.annotations[parts[0]], parts[1:]
        model, alias = self.model, None
        path: tuple[str, ...] = ()
        for index, name in enumerate(parts):
            meta = model._meta
            rest = parts[index + 1 :]
            ends = not rest or rest[0] in LOOKUPS
            field = meta.pk if name == "pk" else meta.fields_by_attname.get(name)
            if field is not None and (ends or name not in meta.relations):
                return Col(field, alias), rest
            hops = meta.relations.get(name)
            if hops is None:
                raise FieldError(
                    f"{model.__name__} has no field {name!r}; choices are: "
                    f"{', '.join(self.choices(None if model is self.model else model))}"
                )
            path = (*path, name)
            alias = self.add_join(path, hops, alias)
            model = hops[-1].to_model
            if ends:
                return Col(model._meta.pk, alias), rest
        raise AssertionError("unreachable: the last name either ends or fails")  # pragma: no cover

    def add_join(self, path: tuple[str, ...], hops: list[PathInfo], alias: str | None) -> str:
        """The JOINs for the relation at ``path`` (made if new); returns the last alias."""
        parent = alias or self.model._meta.table_name
        for index, hop in enumerate(hops):
            key: tuple[str | int, ...] = (*path, index)
            join = self.joins.get(key)
            if join is None:
                join = Join(
                    alias=f"t{len(self.joins) + 1}",
                    table=hop.to_model._meta.table_name,
                    column=hop.to_field.column,
                    parent_alias=parent,
                    parent_column=hop.from_field.column,
                )
                self.joins[key] = join
            parent = join.alias
        return parent

    def add_select_related(self, names: tuple[str, ...]) -> None:
        """``select_related("author", "author__profile")``: JOIN and load single relations."""
        for name in names:
            model, alias = self.model, None
            path: tuple[str, ...] = ()
            for part in name.split(LOOKUP_SEPARATOR):
                hops = model._meta.relations.get(part)
                if hops is None or any(hop.many for hop in hops):
                    single = [
                        r
                        for r, h in model._meta.relations.items()
                        if not any(hop.many for hop in h)
                    ]
                    raise FieldError(
                        f"{model.__name__}.{part} is not a single-valued relation, so "
                        "select_related cannot load it (use prefetch_related for many); "
                        f"choices are: {', '.join(single)}"
                    )
                path = (*path, part)
                alias = self.add_join(path, hops, alias)
                model = hops[-1].to_model
                if all(selection.path != path for selection in self.related_selections):
                    self.related_selections.append(RelatedSelection(path, model, alias))

    def build_lookup(self, key: str, value: Any) -> Lookup:
        """``("age__gte", 18)`` -> ``GreaterThanOrEqual(Col(age), 18)``, every name checked."""
        expression, rest = self.resolve_path(key.split(LOOKUP_SEPARATOR))
        lookup_name = LOOKUP_SEPARATOR.join(rest) or "exact"
        field = expression.output_field
        if field is None or lookup_name not in field.lookups:
            allowed = sorted(field.lookups) if field is not None else []
            what = f"{type(field).__name__} {field.label}" if field else repr(key)
            raise FieldError(
                f"{self.model.__name__}: unsupported lookup {lookup_name!r} on {what}; "
                f"choices are: {', '.join(allowed)}"
            )
        if isinstance(value, Expression):
            value = value.resolve(self)
        elif isinstance(value, list | tuple | set):  # tags__in=[python, sql]: their keys
            value = [key_of(item) for item in value]
        else:
            value = key_of(value)
        return LOOKUPS[lookup_name](expression, value)

    def build_where(self, q: Q) -> WhereNode:
        """A Q tree -> a WhereNode tree of checked lookups."""
        children: list[Lookup | WhereNode] = []
        for child in q.children:
            if isinstance(child, Q):
                children.append(self.build_where(child))
            else:
                children.append(self.build_lookup(*child))
        return WhereNode(children, q.connector, q.negated)

    # --- changes (called on a clone by QuerySet) -------------------------------------------

    def add_q(self, q: Q) -> None:
        """AND the conditions of ``q`` into WHERE (or HAVING, if they use an aggregate)."""
        node = self.build_where(q)
        # filter(a=1, b=2).filter(c=3) is one flat AND: a = ? AND b = ? AND c = ?
        added = node.children if node.connector == "AND" and not node.negated else [node]
        if node.contains_aggregate:
            self.having = WhereNode([*self.having.children, *added])
        else:
            self.where = WhereNode([*self.where.children, *added])

    def add_ordering(self, names: tuple[str | OrderBy, ...]) -> None:
        """``order_by("-age", "name")``: replaces any earlier ordering."""
        ordering: list[OrderBy] = []
        for item in names:
            if isinstance(item, OrderBy):
                ordering.append(item.resolve(self))
            elif isinstance(item, str):
                descending = item.startswith("-")
                expression = self.resolve_name(item.removeprefix("-"))
                ordering.append(OrderBy(expression, descending=descending))
            else:
                raise TypeError(f"order_by() takes field names or F().asc()/desc(), not {item!r}")
        self.order_by = ordering

    def add_annotations(self, annotations: dict[str, Expression]) -> None:
        """``annotate(n=Count("id"))``: extra named expressions in the SELECT."""
        meta = self.model._meta
        for alias, expression in annotations.items():
            if alias in meta.fields_by_name or alias == "pk":
                raise FieldError(f"annotation {alias!r} clashes with a field of {meta.label}")
            check_identifier(alias, "annotation name")
            if not isinstance(expression, Expression):
                raise TypeError(f"annotate({alias}=...) takes an expression, not {expression!r}")
            self.annotations[alias] = expression.resolve(self)
            if self.values_fields is not None:
                self.values_fields.append(alias)

    def set_values(self, names: tuple[str, ...]) -> None:
        """``values("name", "age")``: select these names (checked), in this order."""
        selected = list(names) or [
            *self.model._meta.fields_by_name,
            *self.annotations,
        ]
        for name in selected:
            self.resolve_name(name)
        self.values_fields = selected

    def set_limits(self, low: int | None, high: int | None) -> None:
        """Apply a slice ``[low:high]`` on top of any earlier one (as Python would).

        Bounds past :data:`MAX_ROW_NUMBER` are brought down to it: ``qs[: 2**64]`` means
        "every row", not a number the database refuses.
        """
        if high is not None:
            if self.high_mark is not None:
                self.high_mark = min(self.high_mark, self.low_mark + high)
            else:
                self.high_mark = self.low_mark + high
        if low is not None:
            if self.high_mark is not None:
                self.low_mark = min(self.high_mark, self.low_mark + low)
            else:
                self.low_mark = self.low_mark + low
        self.low_mark = min(self.low_mark, MAX_ROW_NUMBER)
        if self.high_mark is not None:
            self.high_mark = min(self.high_mark, MAX_ROW_NUMBER)

    @property
    def has_aggregate_annotation(self) -> bool:
        return any(expression.contains_aggregate for expression in self.annotations.values())

    def select_items(self) -> list[tuple[str, Expression]]:
        """``(name, expression)`` for each column of the SELECT, in order."""
        meta = self.model._meta
        if self.values_fields is not None:
            return [(name, self.resolve_name(name)) for name in self.values_fields]
        columns: list[tuple[str, Expression]] = [(field.name, Col(field)) for field in meta.fields]
        columns += list(self.annotations.items())
        for selection in self.related_selections:
            prefix = LOOKUP_SEPARATOR.join(selection.path)
            columns += [
                (f"{prefix}.{field.name}", Col(field, selection.alias))
                for field in selection.model._meta.fields
            ]
        return columns

    def group_by(self) -> list[Expression]:
        """With an aggregate in the SELECT, every other selected expression is a group key.

        That one rule gives ``values("age").annotate(n=Count("id"))`` its meaning: one row per
        age. Without an aggregate there is no GROUP BY.
        """
        if not self.has_aggregate_annotation:
            return []
        return [
            expression for _, expression in self.select_items() if not expression.contains_aggregate
        ]
