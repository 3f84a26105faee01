"""query.py: the Query as data: names checked at once, slices combined, clones independent."""

from __future__ import annotations

import pytest

from covet.orm import Avg, CharField, F, FieldError, IntegerField, Model, Q, Value
from covet.orm.compiler import SQLCompiler
from covet.orm.dialects import PostgreSQLDialect, SQLiteDialect
from covet.orm.fields import Field
from covet.orm.query import MAX_ROW_NUMBER, Query


class Book(Model):
    __tablename__ = "books"

    title = CharField(max_length=80)
    pages = IntegerField(default=0)


def test_names_are_checked_when_the_filter_is_built() -> None:
    query = Query(Book)
    assert query.choices() == ["pk", "id", "title", "pages"]
    with pytest.raises(FieldError, match="Book has no field 'author'; choices are: pk, id"):
        query.add_q(Q(author="x"))


def test_clones_do_not_share_their_lists() -> None:
    query = Query(Book)
    query.add_ordering(("title",))
    query.set_values(("title",))
    clone = query.clone()
    clone.add_ordering(("-pages",))
    clone.add_annotations({"n": Avg("pages")})
    assert [o.descending for o in query.order_by] == [False]
    assert query.annotations == {}
    assert query.values_fields == ["title"]
    assert clone.values_fields == ["title", "n"]


@pytest.mark.parametrize(
    ("slices", "low", "high"),
    [
        ([(2, None)], 2, None),
        ([(None, 5)], 0, 5),
        ([(2, 8), (1, 3)], 3, 5),
        ([(2, 8), (1, None)], 3, 8),
        ([(2, 4), (5, 9)], 4, 4),  # past the end of the first slice: empty
        ([(2, None), (None, 3)], 2, 5),
    ],
)
def test_slices_combine_as_python_slices_do(
    slices: list[tuple[int | None, int | None]], low: int, high: int | None
) -> None:
    query = Query(Book)
    for start, stop in slices:
        query.set_limits(start, stop)
    assert (query.low_mark, query.high_mark) == (low, high)
    numbers = list(range(20))
    for start, stop in slices:
        numbers = numbers[start:stop]
    expected = list(range(20))[low:high]
    assert numbers == expected


def test_reprs_show_the_tree() -> None:
    query = Query(Book)
    query.add_q(Q(title="a") | ~Q(pages__gt=3))
    assert repr(query.where) == (
        "(((Exact(Col(Book.title), 'a')) OR NOT ((GreaterThan(Col(Book.pages), 3)))))"
    )
    query.add_ordering(("-pages",))
    assert repr(query.order_by[0]) == "OrderBy(Col(Book.pages), descending=True)"


def test_an_empty_q_adds_no_condition() -> None:
    query = Query(Book)
    query.add_q(Q())
    assert Book.objects.filter(Q()).sql(SQLiteDialect())[0] == (
        'SELECT "id", "title", "pages" FROM "books"'
    )


def test_a_value_with_an_output_field_is_converted_by_it() -> None:
    query = Query(Book)
    field = Book._meta.get_field("pages")
    sql = Book.objects.filter(pages__gt=Value("7", output_field=field)).sql(PostgreSQLDialect())
    assert sql[1] == [7]
    assert Value(1).output_field is None
    assert query.resolve_name("pk").output_field is Book._meta.pk


def test_filtering_on_an_average_uses_having_with_a_float() -> None:
    queryset = Book.objects.values("title").annotate(mean=Avg("pages")).filter(mean__gt=1.5)
    assert queryset.sql(SQLiteDialect()) == (
        'SELECT "title", AVG("pages") AS "mean" FROM "books" GROUP BY "title" '
        'HAVING AVG("pages") > ?',
        [1.5],
    )


def test_a_plain_field_accepts_values_as_they_are() -> None:
    assert Field().clean("anything") == "anything"
    assert Field(null=True).clean(None) is None


@pytest.mark.parametrize("key", ["title__", "__title", "title____exact", "", "pages__gt__"])
def test_an_empty_name_in_a_lookup_is_refused(key: str) -> None:
    with pytest.raises(FieldError) as caught:
        Query(Book).add_q(Q(**{key: "x"}))
    assert str(caught.value) == (
        f"Book: {key!r} has an empty name before, between or after '__'; "
        "choices are: pk, id, title, pages"
    )


def test_an_empty_name_is_refused_in_f_order_by_and_values() -> None:
    for build in (
        lambda query: query.add_ordering(("title__",)),
        lambda query: query.set_values(("__title",)),
        lambda query: query.add_q(Q(pages=F("pages__"))),
    ):
        with pytest.raises(FieldError, match="has an empty name"):
            build(Query(Book))


def test_slice_bounds_stop_at_the_largest_row_number() -> None:
    query = Query(Book)
    query.set_limits(5, 10**30)
    assert (query.low_mark, query.high_mark) == (5, MAX_ROW_NUMBER)
    sql, _ = SQLCompiler(query, SQLiteDialect()).select()
    assert sql.endswith(f" LIMIT {MAX_ROW_NUMBER - 5} OFFSET 5")
    query = Query(Book)
    query.set_limits(2**62, None)
    query.set_limits(2**62, None)
    assert (query.low_mark, query.high_mark) == (MAX_ROW_NUMBER, None)
