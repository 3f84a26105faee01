"""The compiler: a Query plus a Dialect in, ``(sql, params)`` out.

This is the last step from ``User.objects.filter(age__gte=18)`` to SQL text::

    QuerySet.filter(age__gte=18)         # queryset.py: a new QuerySet, a changed Query
      -> Query.add_q(Q(age__gte=18))     # query.py: names checked, a WhereNode of lookups
      -> SQLCompiler(query, dialect).select()
           'SELECT "id", "name", "age" FROM "users" WHERE "age" >= ?', [18]

Each clause is one method here; whatever differs between databases (quoting,
placeholders, LIMIT/OFFSET, FOR UPDATE, RETURNING) is asked of the dialect. Every value is
a parameter; the only words in the SQL text are keywords, checked identifiers and ints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from covet.orm.dialects import Dialect
from covet.orm.errors import FieldError
from covet.orm.expressions import Expression

if TYPE_CHECKING:
    from covet.orm.fields import Field
    from covet.orm.models import Model
    from covet.orm.query import Query

__all__ = ["SQLCompiler", "compile_insert"]

SQL = tuple[str, list[Any]]


class SQLCompiler:
    """Compile one :class:`~covet.orm.query.Query` for one :class:`~covet.orm.dialects.Dialect`."""

    def __init__(self, query: Query, dialect: Dialect) -> None:
        self.query = query
        self.dialect = dialect

    def quote(self, name: str) -> str:
        return self.dialect.quote(name)

    def compile(self, expression: Expression) -> SQL:
        """``(sql, params)`` of any expression or lookup: each knows how to write itself."""
        return expression.as_sql(self)

    @property
    def table(self) -> str:
        return self.quote(self.query.model._meta.table_name)

    def column(self, field: Field, alias: str | None) -> str:
        """``"age"``; ``"users"."age"`` or ``"t1"."name"`` once the query has JOINs."""
        if alias is None and not self.query.joins:
            return self.quote(field.column)
        assert field.model is not None
        table = alias or self.query.model._meta.table_name
        return f"{self.quote(table)}.{self.quote(field.column)}"

    def from_clause(self) -> str:
        """The table, and a ``LEFT JOIN`` per relation the query follows.

        LEFT, not INNER: a row with no related row stays (``Count("posts")`` is 0 for an
        author without posts, ``select_related`` of a NULL key gives None); a condition on
        the joined table drops such rows anyway.
        """
        sql = self.table
        for join in self.query.joins.values():
            alias = self.quote(join.alias)
            sql += (
                f" LEFT JOIN {self.quote(join.table)} {alias} ON {alias}.{self.quote(join.column)}"
                f" = {self.quote(join.parent_alias)}.{self.quote(join.parent_column)}"
            )
        return sql

    # --- clauses --------------------------------------------------------------------------

    def where(self) -> SQL:
        sql, params = self.query.where.as_sql(self)
        return (f" WHERE {sql}" if sql else ""), params

    def group_by_having(self) -> SQL:
        params: list[Any] = []
        keys = []
        for expression in self.query.group_by():
            key_sql, key_params = self.compile(expression)
            keys.append(key_sql)
            params += key_params
        sql = f" GROUP BY {', '.join(keys)}" if keys else ""
        having_sql, having_params = self.query.having.as_sql(self)
        if having_sql:
            sql += f" HAVING {having_sql}"
        return sql, params + having_params

    def order_by(self) -> SQL:
        parts, params = [], []
        for order in self.query.order_by:
            order_sql, order_params = self.compile(order)
            parts.append(order_sql)
            params += order_params
        return (f" ORDER BY {', '.join(parts)}" if parts else ""), params

    def limit(self) -> str:
        query = self.query
        limit = None if query.high_mark is None else query.high_mark - query.low_mark
        return self.dialect.limit_offset(limit, query.low_mark)

    # --- statements -----------------------------------------------------------------------

    def select(self) -> SQL:
        """The SELECT of the query, columns in :meth:`Query.select_items` order."""
        query = self.query
        columns, params = [], []
        selected = set()
        for name, expression in query.select_items():
            column_sql, column_params = self.compile(expression)
            selected.add(column_sql)
            if name in query.annotations:
                column_sql = f"{column_sql} AS {self.quote(name)}"
            columns.append(column_sql)
            params += column_params
        if query.distinct:
            # PostgreSQL and MySQL refuse a SELECT DISTINCT ordered by a column it does not
            # select ("ORDER BY expressions must appear in select list"). As in Django, such
            # expressions are selected too, after the others: rows are read from the first
            # columns only, so the objects do not change (the extra values do take part in
            # DISTINCT: ordering across a many-valued relation may repeat rows).
            for order in query.order_by:
                order_sql, order_params = self.compile(order.expression)
                if order_sql not in selected:
                    selected.add(order_sql)
                    columns.append(order_sql)
                    params += order_params
        distinct = "DISTINCT " if query.distinct else ""
        sql = f"SELECT {distinct}{', '.join(columns)} FROM {self.from_clause()}"
        for clause, clause_params in (self.where(), self.group_by_having(), self.order_by()):
            sql += clause
            params += clause_params
        sql += self.limit()
        if query.select_for_update:
            sql += self.dialect.for_update_sql
        return sql, params

    def count(self) -> SQL:
        """``SELECT COUNT(*)``, over a subquery when DISTINCT, GROUP BY or a slice shape rows."""
        query = self.query
        if query.distinct or query.is_sliced or query.has_aggregate_annotation:
            if not query.is_sliced:  # the order cannot change the count, only the columns
                query = query.clone()
                query.order_by = []
            inner_sql, params = SQLCompiler(query, self.dialect).select()
            return f"SELECT COUNT(*) FROM ({inner_sql}) {self.quote('subquery')}", params
        where_sql, params = self.where()
        return f"SELECT COUNT(*) FROM {self.from_clause()}{where_sql}", params

    def exists(self) -> SQL:
        """``SELECT 1 ... LIMIT 1``: the database stops at the first matching row."""
        if self.query.is_sliced or self.query.has_aggregate_annotation:
            inner_sql, params = self.select()
            sql = f"SELECT 1 FROM ({inner_sql}) {self.quote('subquery')}"
        else:
            where_sql, params = self.where()
            sql = f"SELECT 1 FROM {self.from_clause()}{where_sql}"
        return sql + self.dialect.limit_offset(1, 0), params

    def aggregate(self, aggregates: Mapping[str, Expression]) -> SQL:
        """``SELECT SUM("age") AS "total", ... FROM t WHERE ...``: one row."""
        if self.query.has_aggregate_annotation or self.query.is_sliced:
            raise FieldError("aggregate() over a sliced or annotated query is not supported")
        columns, params = [], []
        for alias, expression in aggregates.items():
            column_sql, column_params = self.compile(expression)
            columns.append(f"{column_sql} AS {self.quote(alias)}")
            params += column_params
        where_sql, where_params = self.where()
        sql = f"SELECT {', '.join(columns)} FROM {self.from_clause()}{where_sql}"
        return sql, params + where_params

    def update(self, values: Sequence[tuple[Field, Any]]) -> SQL:
        """``UPDATE t SET a = ?, b = ("b" + ?) WHERE ...``: values or expressions per column."""
        if self.query.is_sliced:
            raise FieldError("update() cannot be used on a sliced query")
        assignments, params = [], []
        for field, value in values:
            if isinstance(value, Expression):
                value_sql, value_params = self.compile(value)
            else:
                value_sql, value_params = (
                    self.dialect.placeholder,
                    [field.to_db(value, self.dialect)],
                )
            assignments.append(f"{self.quote(field.column)} = {value_sql}")
            params += value_params
        where_sql, where_params = self.where_for_change()
        sql = f"UPDATE {self.table} SET {', '.join(assignments)}{where_sql}"
        return sql, params + where_params

    def delete(self) -> SQL:
        """``DELETE FROM t WHERE ...``."""
        if self.query.is_sliced:
            raise FieldError("delete() cannot be used on a sliced query")
        where_sql, params = self.where_for_change()
        return f"DELETE FROM {self.table}{where_sql}", params

    def where_for_change(self) -> SQL:
        """The WHERE of an UPDATE/DELETE; across relations, ``pk IN`` the joined SELECT.

        The inner SELECT is wrapped once more because MySQL refuses a subquery that reads
        the table being changed unless it is a derived table.
        """
        if not self.query.joins:
            return self.where()
        pk = self.query.model._meta.pk
        where_sql, params = self.where()
        inner = f"SELECT {self.column(pk, None)} FROM {self.from_clause()}{where_sql}"
        subquery = self.quote("subquery")
        return (
            f" WHERE {self.quote(pk.column)} IN (SELECT * FROM ({inner}) {subquery})",
            params,
        )


def compile_insert(
    model: type[Model],
    fields: Sequence[Field],
    rows: Sequence[Sequence[Any]],
    dialect: Dialect,
    *,
    returning: Field | None = None,
) -> SQL:
    """``INSERT INTO t (a, b) VALUES (?, ?), (?, ?) [RETURNING "id"]`` for already-converted rows.

    ``returning`` is the auto-generated key to read back, asked for only where the dialect
    supports RETURNING; otherwise the caller uses the driver's ``lastrowid``.
    """
    table = dialect.quote(model._meta.table_name)
    params: list[Any] = []
    array_types = dialect.unnest_types(fields) if fields and len(rows) > 1 else None
    if array_types is not None:
        # One array per column (PostgreSQL; see Dialect.unnest_types for why).
        columns = ", ".join(dialect.quote(field.column) for field in fields)
        arrays = ", ".join(f"{dialect.placeholder}::{type_}[]" for type_ in array_types)
        sql = f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays})"
        params = [list(column) for column in zip(*rows, strict=True)]
    elif fields:
        columns = ", ".join(dialect.quote(field.column) for field in fields)
        row_sql = f"({', '.join([dialect.placeholder] * len(fields))})"
        sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_sql] * len(rows))}"
        for row in rows:
            params += row
    else:  # every column generated or defaulted
        sql = dialect.default_values_insert(table, len(rows))
    if returning is not None and dialect.supports_returning:
        sql += f" RETURNING {dialect.quote(returning.column)}"
    return sql, params
