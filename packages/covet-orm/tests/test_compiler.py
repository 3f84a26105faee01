"""compiler.py: QuerySets compiled to (sql, params) for each dialect, without a database."""

from __future__ import annotations

import datetime
import json
import math
from typing import Any

import pytest

from covet.orm import (
    Avg,
    BinaryField,
    BooleanField,
    CharField,
    Count,
    DateTimeField,
    F,
    FieldError,
    FloatField,
    IntegerField,
    Max,
    Model,
    Q,
    QuerySet,
    Sum,
)
from covet.orm.compiler import SQLCompiler, compile_insert
from covet.orm.dialects import (
    Dialect,
    MariaDBDialect,
    MySQLDialect,
    PostgreSQLDialect,
    SQLiteDialect,
)
from covet.orm.fields import Field


class Person(Model):
    __tablename__ = "people"

    name = CharField(max_length=50)
    nickname = CharField(max_length=50, null=True)
    age = IntegerField(default=0)
    active = BooleanField(default=True)
    joined = DateTimeField(null=True)


class OnlyKey(Model):
    pass


SQLITE, POSTGRES, MYSQL = SQLiteDialect(), PostgreSQLDialect(), MySQLDialect()
COLUMNS = '"id", "name", "nickname", "age", "active", "joined"'


def sql(queryset: QuerySet[Any], dialect: Dialect = SQLITE) -> tuple[str, list[Any]]:
    return queryset.sql(dialect)


def test_the_path_from_filter_to_sql_text_on_each_dialect() -> None:
    adults = Person.objects.filter(age__gte=18)
    assert sql(adults, SQLITE) == (f'SELECT {COLUMNS} FROM "people" WHERE "age" >= ?', [18])
    assert sql(adults, POSTGRES) == (f'SELECT {COLUMNS} FROM "people" WHERE "age" >= %s', [18])
    mysql_columns = COLUMNS.replace('"', "`")
    assert sql(adults, MYSQL) == (f"SELECT {mysql_columns} FROM `people` WHERE `age` >= %s", [18])


def test_values_never_enter_the_sql_text() -> None:
    nasty = "x'); DROP TABLE people; --"
    text, params = sql(Person.objects.filter(name=nasty))
    assert nasty not in text
    assert params == [nasty]


def test_filters_chain_into_one_flat_and() -> None:
    queryset = Person.objects.filter(age__gt=1, name="a").filter(age__lt=9)
    assert sql(queryset) == (
        f'SELECT {COLUMNS} FROM "people" WHERE "age" > ? AND "name" = ? AND "age" < ?',
        [1, "a", 9],
    )


def test_q_objects_or_and_not() -> None:
    queryset = Person.objects.filter(Q(age__lt=10) | Q(age__gt=60), ~Q(name="Bob"))
    assert sql(queryset) == (
        f'SELECT {COLUMNS} FROM "people" WHERE ("age" < ? OR "age" > ?) AND NOT ("name" = ?)',
        [10, 60, "Bob"],
    )


def test_exclude_on_a_nullable_column_keeps_null_rows() -> None:
    text, _params = sql(Person.objects.exclude(nickname="x"))
    assert text.endswith('WHERE NOT (("nickname" = ? AND "nickname" IS NOT NULL))')
    # Double negation is positive again: no IS NOT NULL is added.
    text, _ = sql(Person.objects.exclude(~Q(nickname="x")))
    assert text.endswith('WHERE NOT (NOT ("nickname" = ?))')
    # A non-nullable column needs no guard, and isnull never does.
    assert sql(Person.objects.exclude(name="x"))[0].endswith('WHERE NOT ("name" = ?)')
    assert sql(Person.objects.exclude(nickname__isnull=True))[0].endswith(
        'WHERE NOT ("nickname" IS NULL)'
    )


def test_exact_none_is_is_null() -> None:
    assert sql(Person.objects.filter(nickname=None)) == (
        f'SELECT {COLUMNS} FROM "people" WHERE "nickname" IS NULL',
        [],
    )


def test_text_comparisons_on_mysql_are_binary() -> None:
    assert sql(Person.objects.filter(name="Ann"), MYSQL)[0].endswith("WHERE `name` = BINARY %s")
    assert sql(Person.objects.filter(name__in=["a", "b"]), MYSQL)[0].endswith(
        "WHERE `name` IN (BINARY %s, BINARY %s)"
    )
    assert sql(Person.objects.filter(name__range=("a", "m")), MYSQL)[0].endswith(
        "WHERE `name` BETWEEN BINARY %s AND BINARY %s"
    )
    # Numbers are compared as numbers.
    assert sql(Person.objects.filter(age=3), MYSQL)[0].endswith("WHERE `age` = %s")


@pytest.mark.parametrize(
    ("dialect", "expected"),
    [
        (SQLITE, ('"name" GLOB ?', ["*a%_[*]*"])),
        (POSTGRES, ("\"name\" LIKE %s ESCAPE '\\'", ["%a\\%\\_*%"])),
        (MYSQL, ("`name` LIKE BINARY %s ESCAPE '\\\\'", ["%a\\%\\_*%"])),
    ],
    ids=["sqlite", "postgresql", "mysql"],
)
def test_contains_is_case_sensitive_and_escaped(
    dialect: Dialect, expected: tuple[str, list[str]]
) -> None:
    text, params = sql(Person.objects.filter(name__contains="a%_*"), dialect)
    assert text.endswith(f"WHERE {expected[0]}")
    assert params == expected[1]


@pytest.mark.parametrize(
    ("dialect", "expected"),
    [
        (SQLITE, "LOWER(\"name\") LIKE LOWER(?) ESCAPE '\\'"),
        (POSTGRES, 'LOWER("name" COLLATE "default") LIKE LOWER(%s) ESCAPE \'\\\''),
        (MYSQL, "LOWER(`name`) LIKE BINARY LOWER(%s) ESCAPE '\\\\'"),
    ],
    ids=["sqlite", "postgresql", "mysql"],
)
def test_icontains_lowers_both_sides(dialect: Dialect, expected: str) -> None:
    text, params = sql(Person.objects.filter(name__icontains="Ab"), dialect)
    assert text.endswith(f"WHERE {expected}")
    assert params == ["%Ab%"]


def test_startswith_endswith_and_iexact() -> None:
    assert sql(Person.objects.filter(name__startswith="a*"))[1] == ["a[*]*"]
    assert sql(Person.objects.filter(name__endswith="?z"))[1] == ["*[?]z"]
    assert sql(Person.objects.filter(name__istartswith="a"))[1] == ["a%"]
    assert sql(Person.objects.filter(name__iendswith="a"))[1] == ["%a"]
    assert sql(Person.objects.filter(name__iexact="Ann"))[0].endswith(
        'WHERE LOWER("name") = LOWER(?)'
    )
    assert sql(Person.objects.filter(name__iexact="Ann"), MYSQL)[0].endswith(
        "WHERE LOWER(`name`) = BINARY LOWER(%s)"
    )


def test_in_range_isnull_and_an_empty_in() -> None:
    assert sql(Person.objects.filter(age__in=[1, 2, None])) == (
        f'SELECT {COLUMNS} FROM "people" WHERE "age" IN (?, ?)',
        [1, 2],
    )
    assert sql(Person.objects.filter(age__in=[]))[0].endswith("WHERE 1 = 0")
    assert sql(Person.objects.filter(age__range=(1, 5)))[1] == [1, 5]
    assert sql(Person.objects.filter(joined__isnull=False))[0].endswith('"joined" IS NOT NULL')


def test_a_number_past_the_range_is_decided_without_a_parameter() -> None:
    where = {
        "age": "1 = 0",
        "age__gt": "1 = 0",
        "age__lte": '"age" IS NOT NULL',
        "age__range": "1 = 0",
    }
    for lookup, condition in where.items():
        value = (10**23, 10**30) if lookup == "age__range" else 10**23
        assert sql(Person.objects.filter(**{lookup: value})) == (
            f'SELECT {COLUMNS} FROM "people" WHERE {condition}',
            [],
        )
    assert sql(Person.objects.filter(age__range=(-(10**23), 5)))[1] == [-(2**31), 5]
    assert sql(Person.objects.filter(age__in=[7, 10**23]))[1] == [7]


class Sample(Model):
    __tablename__ = "samples"

    ratio = FloatField(default=0.0)  # JSON carries floats, NaN aside
    blob = BinaryField(null=True)
    anything = Field(null=True)


def test_in_sends_one_array_on_postgresql_and_one_json_text_on_long_sqlite_lists() -> None:
    assert sql(Person.objects.filter(age__in=[1, 2]), POSTGRES) == (
        f'SELECT {COLUMNS} FROM "people" WHERE "age" = ANY(%s::integer[])',
        [[1, 2]],
    )
    assert sql(Person.objects.filter(name__in=["a"]), POSTGRES)[0].endswith(
        '"name" = ANY(%s::text[])'
    )
    long = list(range(1000))
    assert sql(Person.objects.filter(age__in=long)) == (
        f'SELECT {COLUMNS} FROM "people" WHERE "age" IN (SELECT value FROM json_each(?))',
        [json.dumps(long)],
    )
    # Up to 999 values, and values JSON cannot carry, keep a placeholder each.
    assert sql(Person.objects.filter(age__in=long[:999]))[0].count("?") == 999
    assert len(sql(Sample.objects.filter(blob__in=[bytes([i % 256]) * 2 for i in long]))[1]) == 1000
    assert len(sql(Sample.objects.filter(ratio__in=[float(i) for i in long]))[1]) == 1
    nan_too = [float(i) for i in long] + [math.nan]  # a plain Field lets NaN through
    assert len(sql(Sample.objects.filter(anything__in=nan_too))[1]) == 1001
    assert sql(Sample.objects.filter(anything__in=["a", "b"]), POSTGRES)[0].endswith(
        '"anything" IN (%s, %s)'
    )
    assert sql(Person.objects.filter(age__in=long), MYSQL)[0].count("%s") == 1000


def test_values_are_converted_for_the_dialect() -> None:
    moment = datetime.datetime(
        2024, 5, 1, 12, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
    )
    assert sql(Person.objects.filter(active=True, joined__gt=moment))[1] == [
        1,
        "2024-05-01 10:00:00.000000+00:00",
    ]
    postgres_params = sql(Person.objects.filter(active=True, joined__gt=moment), POSTGRES)[1]
    assert postgres_params == [True, moment]
    mysql_params = sql(Person.objects.filter(active=True, joined__gt=moment), MYSQL)[1]
    assert mysql_params == [1, datetime.datetime(2024, 5, 1, 10, 0)]


def test_f_expressions_in_filters() -> None:
    assert sql(Person.objects.filter(age__gt=F("id") * 2)) == (
        f'SELECT {COLUMNS} FROM "people" WHERE "age" > ("id" * ?)',
        [2],
    )


def test_order_slices_distinct_and_for_update() -> None:
    queryset = Person.objects.order_by("-age", "name")[5:15]
    assert sql(queryset) == (
        f'SELECT {COLUMNS} FROM "people" ORDER BY "age" DESC, "name" ASC LIMIT 10 OFFSET 5',
        [],
    )
    assert sql(Person.objects.all()[3:])[0].endswith("LIMIT -1 OFFSET 3")
    assert sql(Person.objects.all()[3:], POSTGRES)[0].endswith(" OFFSET 3")
    assert sql(Person.objects.all()[3:], MYSQL)[0].endswith("LIMIT 18446744073709551615 OFFSET 3")
    assert sql(Person.objects.all()[:2][1:])[0].endswith("LIMIT 1 OFFSET 1")
    assert (
        sql(Person.objects.values("name").distinct())[0] == 'SELECT DISTINCT "name" FROM "people"'
    )
    locked = Person.objects.filter(pk=1).select_for_update()
    assert sql(locked, POSTGRES)[0].endswith('WHERE "id" = %s FOR UPDATE')
    assert sql(locked, MYSQL)[0].endswith("WHERE `id` = %s FOR UPDATE")
    assert sql(locked, SQLITE)[0].endswith('WHERE "id" = ?')


def test_grouping_by_values_then_annotate() -> None:
    queryset = (
        Person.objects.values("active").annotate(n=Count("id"), total=Sum("age")).order_by("active")
    )
    assert sql(queryset) == (
        'SELECT "active", COUNT("id") AS "n", SUM("age") AS "total" FROM "people" '
        'GROUP BY "active" ORDER BY "active" ASC',
        [],
    )
    having = Person.objects.values("active").annotate(n=Count("*")).filter(n__gt=1)
    assert sql(having) == (
        'SELECT "active", COUNT(*) AS "n" FROM "people" GROUP BY "active" HAVING COUNT(*) > ?',
        [1],
    )


def test_annotate_without_aggregate_adds_a_column() -> None:
    assert sql(Person.objects.annotate(next_age=F("age") + 1).filter(next_age__gt=3)) == (
        f'SELECT {COLUMNS}, ("age" + ?) AS "next_age" FROM "people" WHERE ("age" + ?) > ?',
        [1, 1, 3],
    )


def test_count_exists_and_aggregate() -> None:
    query = Person.objects.filter(age__gt=1).query
    compiler = SQLCompiler(query, SQLITE)
    assert compiler.count() == ('SELECT COUNT(*) FROM "people" WHERE "age" > ?', [1])
    assert compiler.exists() == ('SELECT 1 FROM "people" WHERE "age" > ? LIMIT 1', [1])
    aggregates = {"avg": Avg("age").resolve(query), "oldest": Max("age").resolve(query)}
    assert compiler.aggregate(aggregates) == (
        'SELECT AVG("age") AS "avg", MAX("age") AS "oldest" FROM "people" WHERE "age" > ?',
        [1],
    )
    sliced = SQLCompiler(Person.objects.all()[:5].query, SQLITE)
    assert sliced.count() == (
        f'SELECT COUNT(*) FROM (SELECT {COLUMNS} FROM "people" LIMIT 5) "subquery"',
        [],
    )
    assert sliced.exists()[0].startswith("SELECT 1 FROM (SELECT")
    with pytest.raises(FieldError, match="aggregate"):
        sliced.aggregate(aggregates)


def test_update_and_delete() -> None:
    query = Person.objects.filter(name="a").query
    age = Person._meta.get_field("age")
    name = Person._meta.get_field("name")
    compiler = SQLCompiler(query, POSTGRES)
    assignments = [(age, (F("age") + 1).resolve(query)), (name, "b")]
    assert compiler.update(assignments) == (
        'UPDATE "people" SET "age" = ("age" + %s), "name" = %s WHERE "name" = %s',
        [1, "b", "a"],
    )
    assert compiler.delete() == ('DELETE FROM "people" WHERE "name" = %s', ["a"])
    sliced = SQLCompiler(Person.objects.all()[:1].query, POSTGRES)
    with pytest.raises(FieldError, match="sliced"):
        sliced.update(assignments)
    with pytest.raises(FieldError, match="sliced"):
        sliced.delete()


def test_insert_with_and_without_returning() -> None:
    fields = [Person._meta.get_field("name"), Person._meta.get_field("age")]
    pk = Person._meta.pk
    rows = [["a", 1], ["b", 2]]
    assert compile_insert(Person, fields, rows, SQLITE, returning=pk) == (
        'INSERT INTO "people" ("name", "age") VALUES (?, ?), (?, ?) RETURNING "id"',
        ["a", 1, "b", 2],
    )
    # PostgreSQL: one array per column, however many rows; one row stays a plain VALUES.
    assert compile_insert(Person, fields, rows, POSTGRES, returning=pk) == (
        'INSERT INTO "people" ("name", "age") SELECT * FROM unnest(%s::text[], %s::integer[])'
        ' RETURNING "id"',
        [["a", "b"], [1, 2]],
    )
    assert compile_insert(Person, fields, rows[:1], POSTGRES, returning=pk) == (
        'INSERT INTO "people" ("name", "age") VALUES (%s, %s) RETURNING "id"',
        ["a", 1],
    )
    assert compile_insert(Person, fields, rows, MYSQL, returning=pk)[0] == (
        "INSERT INTO `people` (`name`, `age`) VALUES (%s, %s), (%s, %s)"
    )
    assert compile_insert(Person, fields, rows, MariaDBDialect(), returning=pk)[0].endswith(
        "RETURNING `id`"
    )


def test_insert_of_a_row_without_columns() -> None:
    assert compile_insert(OnlyKey, [], [[]], SQLITE, returning=OnlyKey._meta.pk) == (
        'INSERT INTO "only_key" DEFAULT VALUES RETURNING "id"',
        [],
    )
    assert compile_insert(OnlyKey, [], [[], []], MYSQL)[0] == (
        "INSERT INTO `only_key` () VALUES (), ()"
    )
    with pytest.raises(FieldError, match="no columns"):
        compile_insert(OnlyKey, [], [[], []], POSTGRES)


def test_repr_shows_the_sql() -> None:
    assert repr(Person.objects.filter(age=1)) == (
        f'<QuerySet of Person: SELECT {COLUMNS} FROM "people" WHERE "age" = %s>'
    )
