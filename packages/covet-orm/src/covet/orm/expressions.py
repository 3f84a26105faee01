"""Expressions: the pieces of SQL that a query is built from.

- :class:`F` names a column: ``F("age")`` in ``filter(age__gt=F("min_age"))`` or
  ``update(age=F("age") + 1)``. It compiles to the quoted column, so the database does the
  arithmetic, on the current value, in the same statement.
- :class:`Value` is a Python value; it always compiles to a placeholder plus a parameter.
- ``+ - * /`` between expressions (or an expression and a plain value) build a
  :class:`CombinedExpression`.
- :class:`Count`, :class:`Sum`, :class:`Avg`, :class:`Min`, :class:`Max` are aggregates, for
  ``aggregate()`` and ``annotate()``.
- :class:`Q` holds filter conditions joined with ``&`` (AND), ``|`` (OR) and ``~`` (NOT).

Each expression has two steps. :meth:`Expression.resolve` binds names to the model
(``F("age")`` -> the ``age`` column, or a :class:`~covet.orm.errors.FieldError` naming the
choices). :meth:`Expression.as_sql` then returns ``(sql, params)`` for one dialect.
"""

from __future__ import annotations

import copy
import datetime
import decimal
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from covet.orm.fields import BigIntegerField, DecimalField, Field, FloatField

if TYPE_CHECKING:
    from covet.orm.compiler import SQLCompiler
    from covet.orm.dialects import Dialect
    from covet.orm.query import Query

__all__ = [
    "Aggregate",
    "Avg",
    "Col",
    "CombinedExpression",
    "Count",
    "Expression",
    "F",
    "Max",
    "Min",
    "OrderBy",
    "Q",
    "Sum",
    "Value",
]

SQL = tuple[str, list[Any]]


class Expression(ABC):
    """Something that compiles to SQL: a column, a value, arithmetic, an aggregate."""

    #: True for aggregates (and expressions containing one): they go to HAVING, not WHERE.
    contains_aggregate: bool = False
    #: True when a column of a joined table is read (``F("author__name")``): an UPDATE has
    #: no JOIN to read it from.
    uses_join: bool = False

    @property
    def output_field(self) -> Field | None:
        """The field whose conversions apply to this expression's values (None if unknown)."""
        return None

    def resolve(self, query: Query) -> Expression:
        """Bind names in this expression to ``query``'s model; returns a resolved copy."""
        return self

    @abstractmethod
    def as_sql(self, compiler: SQLCompiler) -> SQL:
        """This node as SQL text and its parameters; every concrete node writes its own."""

    def convert(self, value: Any, dialect: Dialect) -> Any:
        """A value of this expression read from a row -> Python."""
        field = self.output_field
        return value if field is None else field.from_db(value, dialect)

    # Arithmetic builds a tree; the database evaluates it.
    def _combine(self, other: Any, connector: str, reverse: bool) -> CombinedExpression:
        other_expression = other if isinstance(other, Expression) else Value(other)
        if reverse:
            return CombinedExpression(other_expression, connector, self)
        return CombinedExpression(self, connector, other_expression)

    def __add__(self, other: Any) -> CombinedExpression:
        return self._combine(other, "+", False)

    def __sub__(self, other: Any) -> CombinedExpression:
        return self._combine(other, "-", False)

    def __mul__(self, other: Any) -> CombinedExpression:
        return self._combine(other, "*", False)

    def __truediv__(self, other: Any) -> CombinedExpression:
        return self._combine(other, "/", False)

    def __radd__(self, other: Any) -> CombinedExpression:
        return self._combine(other, "+", True)

    def __rsub__(self, other: Any) -> CombinedExpression:
        return self._combine(other, "-", True)

    def __rmul__(self, other: Any) -> CombinedExpression:
        return self._combine(other, "*", True)

    def __rtruediv__(self, other: Any) -> CombinedExpression:
        return self._combine(other, "/", True)

    def asc(self) -> OrderBy:
        return OrderBy(self)

    def desc(self) -> OrderBy:
        return OrderBy(self, descending=True)


class F(Expression):
    """A reference to a field (or an annotation) by name, resolved against the model."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"F({self.name!r})"

    def resolve(self, query: Query) -> Expression:
        return query.resolve_name(self.name)

    def as_sql(self, compiler: SQLCompiler) -> SQL:
        raise TypeError(f"{self!r} must be resolved against a query before it is compiled")


class Col(Expression):
    """A resolved column: of the query's table, or of a joined one (``alias`` is its JOIN's)."""

    def __init__(self, field: Field, alias: str | None = None) -> None:
        self.field = field
        self.alias = alias

    def __repr__(self) -> str:
        return (
            f"Col({self.field.label})"
            if self.alias is None
            else f"Col({self.alias}.{self.field.label})"
        )

    @property
    def output_field(self) -> Field:
        return self.field

    @property
    def uses_join(self) -> bool:  # type: ignore[override]
        return self.alias is not None

    def as_sql(self, compiler: SQLCompiler) -> SQL:
        return compiler.column(self.field, self.alias), []


class Value(Expression):
    """A Python value, sent as a bound parameter (never written into the SQL text).

    With an ``output_field`` the field converts it (``to_db``); without one, booleans,
    dates, datetimes, decimals and UUIDs still go through the dialect.
    """

    def __init__(self, value: Any, output_field: Field | None = None) -> None:
        self.value = value
        self._output_field = output_field

    def __repr__(self) -> str:
        return f"Value({self.value!r})"

    @property
    def output_field(self) -> Field | None:
        return self._output_field

    def as_sql(self, compiler: SQLCompiler) -> SQL:
        dialect = compiler.dialect
        if self._output_field is not None:
            return dialect.placeholder, [self._output_field.to_db(self.value, dialect)]
        return dialect.placeholder, [adapt_plain_value(self.value, dialect)]


def adapt_plain_value(value: Any, dialect: Dialect) -> Any:
    """Convert a value that has no field to describe it, by its Python type."""
    adapters: list[tuple[type | tuple[type, ...], Callable[[Any], Any]]] = [
        (bool, dialect.adapt_bool),
        (datetime.datetime, dialect.adapt_datetime),
        (datetime.date, dialect.adapt_date),
        (decimal.Decimal, dialect.adapt_decimal),
        (uuid.UUID, dialect.adapt_uuid),
    ]
    for kind, adapt in adapters:
        if isinstance(value, kind):
            return adapt(value)
    return value


class CombinedExpression(Expression):
    """``lhs <connector> rhs``, e.g. ``F("age") + 1`` -> ``("age" + ?)``."""

    def __init__(self, lhs: Expression, connector: str, rhs: Expression) -> None:
        if connector not in {"+", "-", "*", "/"}:
            raise ValueError(f"unknown arithmetic operator {connector!r}")
        self.lhs, self.connector, self.rhs = lhs, connector, rhs

    def __repr__(self) -> str:
        return f"({self.lhs!r} {self.connector} {self.rhs!r})"

    @property
    def contains_aggregate(self) -> bool:  # type: ignore[override]
        return self.lhs.contains_aggregate or self.rhs.contains_aggregate

    @property
    def uses_join(self) -> bool:  # type: ignore[override]
        return self.lhs.uses_join or self.rhs.uses_join

    @property
    def output_field(self) -> Field | None:
        return self.lhs.output_field or self.rhs.output_field

    def resolve(self, query: Query) -> Expression:
        return CombinedExpression(self.lhs.resolve(query), self.connector, self.rhs.resolve(query))

    def as_sql(self, compiler: SQLCompiler) -> SQL:
        lhs_sql, lhs_params = compiler.compile(self.lhs)
        rhs_sql, rhs_params = compiler.compile(self.rhs)
        return f"({lhs_sql} {self.connector} {rhs_sql})", lhs_params + rhs_params


class Aggregate(Expression):
    """``FUNCTION(expression)`` over the rows of a group (or of the whole query)."""

    function = ""
    contains_aggregate = True

    def __init__(self, expression: str | Expression, *, distinct: bool = False) -> None:
        self.source = F(expression) if isinstance(expression, str) else expression
        self.distinct = distinct

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.source!r})"

    def default_alias(self) -> str:
        """``Sum("age")`` -> ``age__sum``: the key when ``aggregate()`` gets no name."""
        if isinstance(self.source, F):
            return f"{self.source.name}__{self.function.lower()}"
        raise TypeError(f"{self!r} needs a name: aggregate(name={self!r})")

    def resolve(self, query: Query) -> Expression:
        resolved = copy.copy(self)
        resolved.source = self.source.resolve(query)
        if resolved.source.contains_aggregate:
            raise TypeError(f"{self!r}: an aggregate cannot contain another aggregate")
        return resolved

    @property
    def output_field(self) -> Field | None:
        return self.source.output_field

    @property
    def uses_join(self) -> bool:  # type: ignore[override]
        return self.source.uses_join

    def as_sql(self, compiler: SQLCompiler) -> SQL:
        source_sql, params = compiler.compile(self.source)
        distinct = "DISTINCT " if self.distinct else ""
        return f"{self.function}({distinct}{source_sql})", params


class Star(Expression):
    """The ``*`` of ``COUNT(*)``."""

    def as_sql(self, compiler: SQLCompiler) -> SQL:
        return "*", []


class Count(Aggregate):
    """The number of rows (``Count("*")``) or of non-NULL values; always an int, 0 when empty."""

    function = "COUNT"

    def __init__(self, expression: str | Expression = "*", *, distinct: bool = False) -> None:
        super().__init__(Star() if expression == "*" else expression, distinct=distinct)

    def default_alias(self) -> str:
        if isinstance(self.source, Star):
            return "count"
        return super().default_alias()

    @property
    def output_field(self) -> Field:
        return BigIntegerField()

    def convert(self, value: Any, dialect: Dialect) -> int:
        return 0 if value is None else int(value)


class Sum(Aggregate):
    """The total, in the type of the summed field; None when there are no rows."""

    function = "SUM"


class Avg(Aggregate):
    """The mean: a float, or a Decimal for a DecimalField; None when there are no rows."""

    function = "AVG"

    @property
    def output_field(self) -> Field:
        return FloatField()

    def convert(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(self.source.output_field, DecimalField):
            return dialect.convert_decimal(value)
        return float(value)


class Min(Aggregate):
    """The smallest value, in the field's type."""

    function = "MIN"


class Max(Aggregate):
    """The largest value, in the field's type."""

    function = "MAX"


class OrderBy(Expression):
    """An expression to sort by, ascending or descending."""

    def __init__(self, expression: Expression, *, descending: bool = False) -> None:
        self.expression = expression
        self.descending = descending

    def __repr__(self) -> str:
        return f"OrderBy({self.expression!r}, descending={self.descending})"

    def resolve(self, query: Query) -> OrderBy:
        return OrderBy(self.expression.resolve(query), descending=self.descending)

    def reversed(self) -> OrderBy:
        return OrderBy(self.expression, descending=not self.descending)

    def as_sql(self, compiler: SQLCompiler) -> SQL:
        sql, params = compiler.compile(self.expression)
        return f"{sql} {'DESC' if self.descending else 'ASC'}", params


class Q:
    """Filter conditions: ``Q(age__gte=18) | ~Q(name="Bob")``.

    Keyword arguments in one ``Q`` are joined with AND. A Q is only data: the query turns it
    into lookups (``query.py``), which is where names are checked.
    """

    AND = "AND"
    OR = "OR"

    def __init__(
        self,
        *args: Q,
        _connector: str = "AND",
        _negated: bool = False,
        **kwargs: Any,
    ) -> None:
        self.children: list[Q | tuple[str, Any]] = [*args, *sorted(kwargs.items())]
        self.connector = _connector
        self.negated = _negated

    def __repr__(self) -> str:
        inner = f" {self.connector} ".join(repr(child) for child in self.children)
        return f"{'NOT ' if self.negated else ''}Q({inner})"

    def _combine(self, other: Q, connector: str) -> Q:
        if not isinstance(other, Q):
            return NotImplemented
        return Q(self, other, _connector=connector)

    def __and__(self, other: Q) -> Q:
        return self._combine(other, self.AND)

    def __or__(self, other: Q) -> Q:
        return self._combine(other, self.OR)

    def __invert__(self) -> Q:
        return Q(self, _negated=True)
