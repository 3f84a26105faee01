"""expressions.py: F, Q, Value, arithmetic, aggregates and grouping, on every backend."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import AsyncIterator

import pytest

from covet.orm import (
    Avg,
    CharField,
    Count,
    Database,
    DateTimeField,
    DecimalField,
    F,
    FieldError,
    FloatField,
    IntegerField,
    Max,
    Min,
    Model,
    Q,
    Sum,
    Value,
    create_tables,
)
from covet.orm.dialects import MySQLDialect, SQLiteDialect
from covet.orm.expressions import CombinedExpression, adapt_plain_value


class Sale(Model):
    __tablename__ = "sales"

    shop = CharField(max_length=20)
    units = IntegerField()
    price = DecimalField(max_digits=8, decimal_places=2)
    weight = FloatField(default=1.0)
    sold = DateTimeField(null=True)


SALES = [
    ("north", 3, "2.50", 1.5),
    ("north", 5, "4.00", 0.5),
    ("south", 1, "10.00", 2.0),
    ("south", 7, "1.25", 1.0),
    ("south", 2, "3.75", 3.0),
]


@pytest.fixture
async def sales(database: Database) -> AsyncIterator[Database]:
    await create_tables(database, Sale)
    await Sale.objects.bulk_create(
        [Sale(shop=s, units=u, price=decimal.Decimal(p), weight=w) for s, u, p, w in SALES]
    )
    return database


async def test_aggregate_over_the_whole_query(sales: Database) -> None:
    result = await Sale.objects.aggregate(
        Sum("units"), Count("id"), Min("price"), Max("price"), Avg("units"), avg_price=Avg("price")
    )
    assert result == {
        "units__sum": 18,
        "id__count": 5,
        "price__min": decimal.Decimal("1.25"),
        "price__max": decimal.Decimal("10.00"),
        "units__avg": 3.6,
        "avg_price": decimal.Decimal("4.3"),
    }
    assert type(result["units__sum"]) is int
    assert type(result["units__avg"]) is float
    assert await Sale.objects.filter(shop="north").aggregate(total=Sum("units")) == {"total": 8}
    assert await Sale.objects.aggregate(Count()) == {"count": 5}
    assert await Sale.objects.aggregate(n=Count("shop", distinct=True)) == {"n": 2}


async def test_aggregates_of_no_rows(sales: Database) -> None:
    empty = Sale.objects.filter(units__gt=100)
    assert await empty.aggregate(Sum("units"), Count("id"), Avg("units"), Max("sold")) == {
        "units__sum": None,
        "id__count": 0,
        "units__avg": None,
        "sold__max": None,
    }


async def test_grouping_with_values_then_annotate(sales: Database) -> None:
    per_shop = (
        Sale.objects.values("shop")
        .annotate(n=Count("id"), total=Sum("units"), top=Max("price"), mean=Avg("weight"))
        .order_by("shop")
    )
    assert await per_shop == [
        {"shop": "north", "n": 2, "total": 8, "top": decimal.Decimal("4.00"), "mean": 1.0},
        {"shop": "south", "n": 3, "total": 10, "top": decimal.Decimal("10.00"), "mean": 2.0},
    ]
    busy = Sale.objects.values("shop").annotate(n=Count("*")).filter(n__gte=3)
    assert await busy == [{"shop": "south", "n": 3}]
    assert await busy.count() == 1
    assert await busy.exists() is True
    assert await Sale.objects.values("shop").annotate(n=Count("*")).order_by("-n").values_list(
        "shop", flat=True
    ) == ["south", "north"]


async def test_annotate_on_instances(sales: Database) -> None:
    sale = await Sale.objects.annotate(revenue=F("units") * F("price")).order_by("units").first()
    assert sale is not None
    assert sale.revenue == decimal.Decimal("10.00")  # type: ignore[attr-defined]
    plus = (
        await Sale.objects.annotate(more=F("units") + 10)
        .filter(more__gt=16)
        .values_list("more", flat=True)
    )
    assert plus == [17]


async def test_f_expressions_in_filters_and_updates(sales: Database) -> None:
    assert await Sale.objects.filter(units__gt=F("weight") * 2).count() == 2
    assert await Sale.objects.filter(units=F("units")).count() == 5
    await Sale.objects.filter(shop="north").update(units=F("units") * 2 + 1, weight=2 - F("weight"))
    north = await Sale.objects.filter(shop="north").order_by("units").values_list("units", "weight")
    assert north == [(7, 0.5), (11, 1.5)]
    await Sale.objects.update(price=F("price") - Value(decimal.Decimal("0.25")))
    assert await Sale.objects.aggregate(low=Min("price")) == {"low": decimal.Decimal("1.00")}


async def test_q_trees(sales: Database) -> None:
    query = Q(shop="north", units__gt=3) | (Q(shop="south") & ~Q(units__lt=7))
    assert sorted(await Sale.objects.filter(query).values_list("units", flat=True)) == [5, 7]
    assert await Sale.objects.filter(~~Q(units=1)).count() == 1
    assert await Sale.objects.filter(Q()).count() == 5


def test_q_and_expression_reprs() -> None:
    assert repr(Q(a=1) | ~Q(b=2)) == "Q(Q(('a', 1)) OR NOT Q(Q(('b', 2))))"
    assert repr(F("a") + 1) == "(F('a') + Value(1))"
    assert repr(2 * F("a")) == "(Value(2) * F('a'))"
    assert repr(Sum("a")) == "Sum(F('a'))"
    with pytest.raises(TypeError):
        Q() & 1  # type: ignore[operator]


def test_reverse_arithmetic_builds_the_tree() -> None:
    expression = 10 - F("a") / 2
    assert isinstance(expression, CombinedExpression)
    assert expression.connector == "-"
    assert isinstance(1 + F("a"), CombinedExpression)
    assert isinstance(3 / F("a"), CombinedExpression)
    with pytest.raises(ValueError, match="unknown arithmetic operator"):
        CombinedExpression(F("a"), "%", F("b"))


def test_expressions_must_be_resolved_and_aggregates_named() -> None:
    from covet.orm.compiler import SQLCompiler

    compiler = SQLCompiler(Sale.objects.all().query, SQLiteDialect())
    with pytest.raises(TypeError, match="must be resolved"):
        compiler.compile(F("units"))
    with pytest.raises(TypeError, match="needs a name"):
        Sum(F("units") * 2).default_alias()
    with pytest.raises(TypeError, match="aggregate cannot contain another"):
        Sum(Count("id")).resolve(Sale.objects.all().query)


async def test_aggregate_and_annotate_argument_checks(sales: Database) -> None:
    with pytest.raises(TypeError, match="at least one"):
        await Sale.objects.aggregate()
    with pytest.raises(TypeError, match="needs an aggregate"):
        await Sale.objects.aggregate(x=F("units"))
    with pytest.raises(FieldError, match="has no field 'nope'"):
        await Sale.objects.aggregate(Sum("nope"))
    with pytest.raises(FieldError, match="clashes with a field"):
        Sale.objects.annotate(units=Count("id"))
    with pytest.raises(TypeError, match="takes an expression"):
        Sale.objects.annotate(x=1)  # type: ignore[arg-type]
    with pytest.raises(FieldError, match="not supported"):
        await Sale.objects.annotate(n=Count("id")).aggregate(Sum("units"))


def test_plain_values_are_adapted_by_type() -> None:
    mysql = MySQLDialect()
    moment = datetime.datetime(2024, 1, 1, 12, tzinfo=datetime.UTC)
    assert adapt_plain_value(True, mysql) == 1
    assert adapt_plain_value(moment, mysql) == datetime.datetime(2024, 1, 1, 12)
    assert adapt_plain_value(datetime.date(2024, 1, 1), SQLiteDialect()) == "2024-01-01"
    assert adapt_plain_value(decimal.Decimal("1.5"), SQLiteDialect()) == "1.5"
    assert adapt_plain_value("text", mysql) == "text"
