"""Lookups: the ``__gte`` in ``filter(age__gte=18)``, one small class per operator.

``query.py`` splits ``"age__gte"`` into the field ``age`` and the lookup name ``gte``, checks
both against the model, and builds ``GreaterThanOrEqual(Col(age), 18)``. At compile time the
lookup writes its SQL, asking the dialect wherever vendors differ::

    GreaterThanOrEqual(Col(age), 18).as_sql(compiler)  ->  ('"age" >= ?', [18])

The value is checked by the field first (``field.to_python``: ``age__gte="x"`` is a
ValidationError, not a database error) and is always a bound parameter.

Case rules (the same meaning on every backend; see ``dialects.py`` for how):

- ``exact``, ``contains``, ``startswith``, ``endswith`` are case-sensitive;
- ``iexact``, ``icontains``, ``istartswith``, ``iendswith`` compare ``LOWER()`` of both sides.
  Which letters ``LOWER()`` folds is the database's business: all three fold ASCII; SQLite
  folds *only* ASCII (``"Ä"`` stays ``"Ä"``).
- ``%`` and ``_`` in a pattern value match themselves.

A whole number past its column's range (``get(pk=10**23)``, from a URL or a form) is not an
error: no row can hold it, so the comparison is decided without sending it (it would not fit
the driver's parameter types anyway). The field's ``to_python`` raises
:class:`~covet.orm.errors.OutOfRangeError`; the lookup keeps it and, when compiled, writes
``1 = 0`` (``exact``, ``gt`` past the top, ``lt`` past the bottom) or ``col IS NOT NULL``
(``lt`` past the top, ``gt`` past the bottom). ``in`` drops such values and ``range`` clamps
its bounds to the field's. This holds for a column; an expression such as ``Sum("n")`` may
exceed its field's range, so there the error stands.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from covet.orm.errors import FieldError, OutOfRangeError
from covet.orm.expressions import Col, Expression

if TYPE_CHECKING:
    from covet.orm.compiler import SQLCompiler
    from covet.orm.fields import Field

__all__ = ["LOOKUPS", "Lookup"]

SQL = tuple[str, list[Any]]

#: A condition no row meets (an empty ``in``, a value no column of the field can hold).
MATCHES_NOTHING = "1 = 0"


class Lookup(ABC):
    """``lhs <operator> rhs``: a column (or expression) compared with a value or expression."""

    lookup_name: ClassVar[str]

    def __init__(self, lhs: Expression, rhs: Any) -> None:
        self.lhs = lhs
        self.rhs = self.prepare_rhs(rhs)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.lhs!r}, {self.rhs!r})"

    @property
    def field(self) -> Field:
        field = self.lhs.output_field
        assert field is not None, "query.py only builds lookups on expressions with a field"
        return field

    @property
    def nullable(self) -> bool:
        """Can the left side be NULL? (Matters under NOT; see ``WhereNode``.)"""
        return isinstance(self.lhs, Col) and self.lhs.field.null

    def prepare_rhs(self, value: Any) -> Any:
        """Check and convert the value with the field (expressions pass unchanged)."""
        if isinstance(value, Expression):
            return value
        if value is None:
            raise FieldError(
                f"{self.field.label}__{self.lookup_name}: None is not a value to compare with; "
                "use isnull=True"
            )
        return self.field.to_python(value)

    def rhs_sql(self, compiler: SQLCompiler, value: Any) -> SQL:
        """A placeholder and the converted parameter (or the compiled expression)."""
        if isinstance(value, Expression):
            return compiler.compile(value)
        return compiler.dialect.placeholder, [self.field.adapt(value, compiler.dialect)]

    def compared_sql(self, compiler: SQLCompiler, value: Any) -> SQL:
        """:meth:`rhs_sql`, made to compare text code point by code point (``exact_text``)."""
        sql, params = self.rhs_sql(compiler, value)
        if self.field.is_text:
            sql = compiler.dialect.exact_text(sql)
        return sql, params

    @abstractmethod
    def as_sql(self, compiler: SQLCompiler) -> SQL:
        """This node as SQL text and its parameters; every concrete node writes its own."""


class Comparison(Lookup):
    """``lhs <operator> rhs`` with a plain SQL operator; text compares code point by code point."""

    operator: ClassVar[str]
    #: With a value past the top (or bottom) of the column's range, does every row with a
    #: value match (``lt`` past the top), or none (``gt`` past the top, ``exact``)?
    all_match_above: ClassVar[bool] = False
    all_match_below: ClassVar[bool] = False

    def prepare_rhs(self, value: Any) -> Any:
        try:
            return super().prepare_rhs(value)
        except OutOfRangeError as error:
            if not isinstance(self.lhs, Col):
                raise
            return error  # decided in as_sql, when the SQL is written

    def as_sql(self, compiler: SQLCompiler) -> SQL:
        if isinstance(self.rhs, OutOfRangeError):
            every_row = self.all_match_above if self.rhs.above else self.all_match_below
            if not every_row:
                return MATCHES_NOTHING, []
            lhs_sql, lhs_params = compiler.compile(self.lhs)
            return f"{lhs_sql} IS NOT NULL", lhs_params
        lhs_sql, lhs_params = compiler.compile(self.lhs)
        rhs_sql, rhs_params = self.compared_sql(compiler, self.rhs)
        return f"{lhs_sql} {self.operator} {rhs_sql}", lhs_params + rhs_params


class Exact(Comparison):
    lookup_name = "exact"
    operator = "="

    def prepare_rhs(self, value: Any) -> Any:
        # filter(name=None) means IS NULL, as in Django.
        return None if value is None else super().prepare_rhs(value)

    def as_sql(self, compiler: SQLCompiler) -> SQL:
        if self.rhs is None:
            lhs_sql, params = compiler.compile(self.lhs)
            return f"{lhs_sql} IS NULL", params
        return super().as_sql(compiler)


class GreaterThan(Comparison):
    lookup_name = "gt"
    operator = ">"
    all_match_below = True


class GreaterThanOrEqual(Comparison):
    lookup_name = "gte"
    operator = ">="
    all_match_below = True


class LessThan(Comparison):
    lookup_name = "lt"
    operator = "<"
    all_match_above = True


class LessThanOrEqual(Comparison):
    lookup_name = "lte"
    operator = "<="
    all_match_above = True


class IExact(Lookup):
    lookup_name = "iexact"

    def as_sql(self, compiler: SQLCompiler) -> SQL:
        lhs_sql, lhs_params = compiler.compile(self.lhs)
        rhs_sql, rhs_params = self.rhs_sql(compiler, self.rhs)
        return compiler.dialect.iexact(lhs_sql, rhs_sql), lhs_params + rhs_params


class PatternLookup(Lookup):
    """``contains``/``startswith``/``endswith`` and their ``i`` twins: a LIKE (or GLOB)."""

    kind: ClassVar[str]
    case_sensitive: ClassVar[bool] = True

    def prepare_rhs(self, value: Any) -> Any:
        if isinstance(value, Expression):
            raise FieldError(
                f"{self.field.label}__{self.lookup_name} takes a string, not {value!r}"
            )
        return super().prepare_rhs(value)

    def as_sql(self, compiler: SQLCompiler) -> SQL:
        dialect = compiler.dialect
        lhs_sql, params = compiler.compile(self.lhs)
        pattern = dialect.pattern(self.rhs, self.kind, case_sensitive=self.case_sensitive)
        sql = dialect.pattern_match(
            lhs_sql, dialect.placeholder, case_sensitive=self.case_sensitive
        )
        return sql, [*params, pattern]


class Contains(PatternLookup):
    lookup_name = "contains"
    kind = "contains"


class IContains(Contains):
    lookup_name = "icontains"
    case_sensitive = False


class StartsWith(PatternLookup):
    lookup_name = "startswith"
    kind = "startswith"


class IStartsWith(StartsWith):
    lookup_name = "istartswith"
    case_sensitive = False


class EndsWith(PatternLookup):
    lookup_name = "endswith"
    kind = "endswith"


class IEndsWith(EndsWith):
    lookup_name = "iendswith"
    case_sensitive = False


class In(Lookup):
    """``lhs IN (?, ?, ...)``, or all the values in one parameter where the vendor can
    (PostgreSQL's ``= ANY(array)``, SQLite's ``json_each``). An empty list matches nothing;
    None items are dropped."""

    lookup_name = "in"

    def prepare_rhs(self, value: Any) -> Any:
        if isinstance(value, str | bytes) or not isinstance(value, Iterable):
            raise FieldError(
                f"{self.field.label}__in takes a list of values, not {type(value).__name__}"
            )
        items = []
        for item in value:
            if item is None:
                continue
            try:
                items.append(self.field.to_python(item))
            except OutOfRangeError:
                if not isinstance(self.lhs, Col):
                    raise
                # No row holds it: leaving it out changes nothing but the parameters.
        return items

    def as_sql(self, compiler: SQLCompiler) -> SQL:
        if not self.rhs:
            return MATCHES_NOTHING, []
        lhs_sql, params = compiler.compile(self.lhs)
        # Any number of values (70,000 ids from a request): one parameter where the vendor
        # can take them so (Dialect.in_values), since each vendor limits a statement's
        # parameters.
        dialect = compiler.dialect
        adapted = [self.field.adapt(item, dialect) for item in self.rhs]
        one_parameter = dialect.in_values(lhs_sql, self.field, adapted)
        if one_parameter is not None:
            sql, values = one_parameter
            return sql, params + values
        placeholders = []
        for item in self.rhs:
            item_sql, item_params = self.compared_sql(compiler, item)
            placeholders.append(item_sql)
            params += item_params
        return f"{lhs_sql} IN ({', '.join(placeholders)})", params


class Range(Lookup):
    """``lhs BETWEEN low AND high``: both ends included."""

    lookup_name = "range"

    def prepare_rhs(self, value: Any) -> Any:
        if isinstance(value, str | bytes) or not isinstance(value, Iterable):
            raise FieldError(f"{self.field.label}__range takes (low, high)")
        bounds = list(value)
        if len(bounds) != 2:
            raise FieldError(
                f"{self.field.label}__range takes (low, high), got {len(bounds)} items"
            )
        self.empty = False
        prepared = []
        for index, bound in enumerate(bounds):
            try:
                prepared.append(super().prepare_rhs(bound))
            except OutOfRangeError as error:
                if not isinstance(self.lhs, Col):
                    raise
                # A low bound past the top, or a high one past the bottom: no row is in
                # between. Otherwise the field's own bound means the same rows.
                self.empty = self.empty or error.above == (index == 0)
                prepared.append(error.limit)
        return prepared

    def as_sql(self, compiler: SQLCompiler) -> SQL:
        if self.empty:
            return MATCHES_NOTHING, []
        lhs_sql, params = compiler.compile(self.lhs)
        bounds = []
        for bound in self.rhs:
            bound_sql, bound_params = self.compared_sql(compiler, bound)
            bounds.append(bound_sql)
            params += bound_params
        return f"{lhs_sql} BETWEEN {bounds[0]} AND {bounds[1]}", params


class IsNull(Lookup):
    """``isnull=True`` -> ``IS NULL``; ``isnull=False`` -> ``IS NOT NULL``."""

    lookup_name = "isnull"

    def prepare_rhs(self, value: Any) -> Any:
        if not isinstance(value, bool):
            raise FieldError(f"{self.field.label}__isnull takes True or False, not {value!r}")
        return value

    def as_sql(self, compiler: SQLCompiler) -> SQL:
        lhs_sql, params = compiler.compile(self.lhs)
        return f"{lhs_sql} IS {'' if self.rhs else 'NOT '}NULL", params


#: Lookup name -> class. A field's ``lookups`` says which of these it accepts.
LOOKUPS: dict[str, type[Lookup]] = {
    cls.lookup_name: cls
    for cls in (
        Exact,
        IExact,
        Contains,
        IContains,
        StartsWith,
        IStartsWith,
        EndsWith,
        IEndsWith,
        In,
        GreaterThan,
        GreaterThanOrEqual,
        LessThan,
        LessThanOrEqual,
        Range,
        IsNull,
    )
}
