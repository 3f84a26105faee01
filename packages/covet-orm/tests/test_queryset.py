"""queryset.py: every QuerySet method, on SQLite, PostgreSQL and MySQL/MariaDB."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from covet.orm import (
    CharField,
    Database,
    F,
    FieldError,
    IntegerField,
    IntegrityError,
    Model,
    Q,
    ValidationError,
    atomic,
    capture_queries,
    create_tables,
)
from covet.orm.dialects import MySQLDialect, SQLiteDialect, _dialects, dialect_for
from covet.orm.queryset import QuerySet


class Person(Model):
    __tablename__ = "people"

    name = CharField(max_length=50)
    email = CharField(max_length=100, unique=True, null=True)
    age = IntegerField(default=0, index=True)
    city = CharField(max_length=50, default="")


PEOPLE = [
    ("Ann", 31, "Oslo"),
    ("Bob", 17, "Rome"),
    ("Cid", 45, "Oslo"),
    ("Dee", 17, "Lima"),
    ("Eve", 60, "Rome"),
]


@pytest.fixture
async def people(database: Database) -> AsyncIterator[Database]:
    await create_tables(database, Person)
    await Person.objects.bulk_create(
        [Person(name=n, age=a, city=c, email=f"{n.lower()}@x") for n, a, c in PEOPLE]
    )
    return database


async def names(queryset: QuerySet[Person]) -> list[str]:
    return [person.name for person in await queryset]


async def test_all_returns_a_list_of_instances(people: Database) -> None:
    everyone = await Person.objects.all()
    assert isinstance(everyone, list)
    assert sorted(p.name for p in everyone) == ["Ann", "Bob", "Cid", "Dee", "Eve"]
    adults = await Person.objects.filter(age__gte=18).all()
    assert sorted(p.name for p in adults) == ["Ann", "Cid", "Eve"]
    assert all(isinstance(p, Person) and isinstance(p.pk, int) for p in adults)


async def test_querysets_are_lazy_and_chaining_copies(people: Database) -> None:
    with capture_queries() as queries:
        base = Person.objects.filter(city="Oslo")
        older = base.filter(age__gt=40)
        base.order_by("name")
    assert queries == []
    assert await names(older) == ["Cid"]
    assert sorted(await names(base)) == ["Ann", "Cid"]


async def test_exclude_and_order_by(people: Database) -> None:
    assert await names(Person.objects.exclude(city="Oslo").order_by("name")) == [
        "Bob",
        "Dee",
        "Eve",
    ]
    assert await names(Person.objects.order_by("-age", "name")) == [
        "Eve",
        "Cid",
        "Ann",
        "Bob",
        "Dee",
    ]
    by_expression = Person.objects.order_by(F("age").desc(), F("name").asc())
    assert await names(by_expression) == ["Eve", "Cid", "Ann", "Bob", "Dee"]
    with pytest.raises(TypeError, match="order_by"):
        Person.objects.order_by(3)  # type: ignore[arg-type]


async def test_slicing_is_limit_and_offset(people: Database) -> None:
    ordered = Person.objects.order_by("name")
    assert await names(ordered[:2]) == ["Ann", "Bob"]
    assert await names(ordered[1:3]) == ["Bob", "Cid"]
    assert await names(ordered[3:]) == ["Dee", "Eve"]
    assert await names(ordered[1:4][1:]) == ["Cid", "Dee"]
    assert await names(ordered[10:]) == []
    assert (await ordered[2]).name == "Cid"
    with pytest.raises(IndexError, match="no row at index 9"):
        await ordered[9]
    with pytest.raises(ValueError, match="negative"):
        ordered[-1]
    with pytest.raises(ValueError, match="negative"):
        ordered[:-1]
    with pytest.raises(ValueError, match="step"):
        ordered[::2]
    with pytest.raises(TypeError, match="ints or slices"):
        ordered["a"]  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="once a slice has been taken"):
        ordered[:2].filter(age=1)
    with pytest.raises(TypeError, match="once a slice has been taken"):
        await ordered[:2].last()


async def test_slices_past_any_row_count_mean_every_row(people: Database) -> None:
    # LIMIT and OFFSET are brought down to 2**63 - 1, which every backend accepts.
    ordered = Person.objects.order_by("name")
    assert await names(ordered[: 2**63]) == ["Ann", "Bob", "Cid", "Dee", "Eve"]
    assert await names(ordered[3 : 10**30]) == ["Dee", "Eve"]
    assert await names(ordered[2**63 :]) == []
    assert await names(ordered[2**62 :][2**62 :]) == []
    assert await names(ordered[10**30 : 10**30 + 5]) == []
    assert await ordered[: 2**64].count() == 5
    assert await ordered[2**64 :].exists() is False
    with pytest.raises(IndexError, match=f"no row at index {2**64}"):
        await ordered[2**64]


async def test_get_and_its_errors(people: Database) -> None:
    ann = await Person.objects.get(name="Ann")
    assert ann.age == 31
    assert (await Person.objects.get(Q(name="Ann") | Q(name="Nobody"))).pk == ann.pk
    assert (await Person.objects.filter(pk=ann.pk).get()).name == "Ann"
    with pytest.raises(Person.DoesNotExist, match=r"no Person matches the query \(name='Zed'\)"):
        await Person.objects.get(name="Zed")
    with pytest.raises(Person.MultipleObjectsReturned, match="expected one Person but found 2"):
        await Person.objects.get(age=17)
    await Person.objects.bulk_create([Person(name=f"n{i}", age=99) for i in range(25)])
    with pytest.raises(Person.MultipleObjectsReturned, match="found more than 20"):
        await Person.objects.get(age=99)


async def test_first_last_count_exists(people: Database) -> None:
    first, last = await Person.objects.first(), await Person.objects.last()
    assert first is not None
    assert last is not None
    assert (first.name, last.name) == ("Ann", "Eve")  # by primary key
    youngest = await Person.objects.order_by("age", "name").first()
    assert youngest is not None
    assert youngest.name == "Bob"
    oldest = await Person.objects.order_by("age").last()
    assert oldest is not None
    assert oldest.name == "Eve"
    assert await Person.objects.filter(age__gt=100).first() is None
    assert await Person.objects.filter(age__gt=100).last() is None
    assert await Person.objects.count() == 5
    assert await Person.objects.filter(city="Rome").count() == 2
    assert await Person.objects.exists() is True
    assert await Person.objects.filter(name="Zed").exists() is False


async def test_values_values_list_and_distinct(people: Database) -> None:
    assert await Person.objects.filter(name="Ann").values("name", "age") == [
        {"name": "Ann", "age": 31}
    ]
    row = (await Person.objects.filter(name="Bob").values())[0]
    assert set(row) == {"id", "name", "email", "age", "city"}
    assert await Person.objects.order_by("name").values_list("name", "age")[:2] == [
        ("Ann", 31),
        ("Bob", 17),
    ]
    ages = Person.objects.order_by("age").values_list("age", flat=True)
    assert await ages == [17, 17, 31, 45, 60]
    assert await ages.distinct() == [17, 31, 45, 60]
    assert await Person.objects.values_list("city", flat=True).distinct().count() == 3
    with pytest.raises(TypeError, match="exactly one field"):
        Person.objects.values_list("name", "age", flat=True)  # type: ignore[call-overload]
    with pytest.raises(FieldError, match="has no field 'nope'"):
        Person.objects.values("nope")


async def test_update_returns_rows_matched_and_takes_f(people: Database) -> None:
    assert await Person.objects.filter(city="Rome").update(age=F("age") + 1) == 2
    assert await Person.objects.order_by("name").values_list("age", flat=True) == [
        31,
        18,
        45,
        17,
        61,
    ]
    # Rows matched, not rows changed: setting the same value still counts (MySQL too).
    assert await Person.objects.filter(name="Ann").update(age=31) == 1
    assert await Person.objects.update(city="X") == 5
    with pytest.raises(ValidationError, match=r"Person\.name: ensure this value has at most 50"):
        await Person.objects.update(name="x" * 51)
    with pytest.raises(ValidationError, match="cannot be null"):
        await Person.objects.update(name=None)
    with pytest.raises(TypeError, match="at least one"):
        await Person.objects.filter(pk=1).update()
    with pytest.raises(FieldError, match="has no field 'nope'"):
        await Person.objects.update(nope=1)


async def test_delete_returns_the_count(people: Database) -> None:
    assert await Person.objects.filter(age=17).delete() == 2
    assert await Person.objects.filter(age=17).delete() == 0
    assert await Person.objects.all().delete() == 3
    assert await Person.objects.count() == 0


async def test_create_and_bulk_create_set_primary_keys(people: Database) -> None:
    zed = await Person.objects.create(name="Zed", age=5)
    assert (await Person.objects.get(pk=zed.pk)).name == "Zed"
    made = await Person.objects.bulk_create(
        [Person(name=f"b{i}", age=i) for i in range(600)], batch_size=250
    )
    assert len(made) == 600
    assert all(p.pk is not None for p in made)
    assert len({p.pk for p in made}) == 600
    assert (await Person.objects.get(pk=made[599].pk)).name == "b599"
    assert await Person.objects.bulk_create([]) == []
    with_keys = await Person.objects.bulk_create([Person(pk=5000, name="k"), Person(name="nk")])
    assert with_keys[0].pk == 5000
    assert with_keys[1].pk is not None
    with pytest.raises(TypeError, match="takes Person instances"):
        await Person.objects.bulk_create(["x"])  # type: ignore[list-item]
    with pytest.raises(ValidationError, match=r"Person\.name"):
        await Person.objects.bulk_create([Person(name="ok"), Person(name="x" * 99)])


async def test_bulk_create_fills_each_insert_up_to_the_dialects_parameter_limit(
    people: Database,
) -> None:
    dialect = await dialect_for(people)
    # Person has four columns besides its key: 9 parameters hold two rows, so 5 rows take
    # three INSERTs (2 + 2 + 1), each within the limit.
    dialect.max_params = 9  # an instance attribute, shadowing the class's limit
    try:
        with capture_queries() as queries:
            made = await Person.objects.bulk_create([Person(name=f"m{i}") for i in range(5)])
    finally:
        del dialect.max_params
    inserts = [query for query in queries if query.sql.startswith("INSERT")]
    assert len(inserts) == 3
    if people.vendor == "postgresql":  # one array per column (Dialect.unnest_types)
        assert [query.param_count for query in inserts] == [4, 4, 4]
    else:
        assert [query.param_count for query in inserts] == [8, 8, 4]
    assert len({person.pk for person in made}) == 5
    assert await Person.objects.filter(name__startswith="m").count() == 5


@pytest.mark.parametrize("vendor", ["sqlite", "mysql"])
async def test_without_returning_the_key_comes_from_lastrowid(
    people: Database, vendor: str
) -> None:
    # As on MySQL proper (and SQLite before 3.35), where INSERT has no RETURNING.
    dialect = SQLiteDialect() if vendor == "sqlite" else MySQLDialect()
    dialect.supports_returning = False
    _dialects[people] = dialect
    try:
        zed = await Person.objects.create(name="Zed")
        assert (await Person.objects.get(pk=zed.pk)).name == "Zed"
        several = await Person.objects.bulk_create([Person(name="p"), Person(name="q")])
        assert [p.pk for p in several] == [None, None]  # as Django does on MySQL
        assert await Person.objects.filter(name__in=["p", "q"]).count() == 2
    finally:
        del _dialects[people]


async def test_bulk_update(people: Database) -> None:
    everyone = await Person.objects.order_by("name")
    for person in everyone:
        person.age += 100
        person.city = person.city.upper()
    assert await Person.objects.bulk_update(everyone, ["age", "city"], batch_size=2) == 5
    assert await Person.objects.order_by("name").values_list("age", "city")[:1] == [(131, "OSLO")]
    assert await Person.objects.bulk_update([], ["age"]) == 0
    with pytest.raises(FieldError, match="not the primary key"):
        await Person.objects.bulk_update(everyone, ["id"])
    with pytest.raises(FieldError, match="have a primary key"):
        await Person.objects.bulk_update([Person(name="new")], ["age"])
    everyone[0].name = "x" * 51
    with pytest.raises(ValidationError):
        await Person.objects.bulk_update(everyone, ["name"])


async def test_get_or_create(people: Database) -> None:
    ann, created = await Person.objects.get_or_create(name="Ann", defaults={"age": 1})
    assert created is False
    assert ann.age == 31
    new, created = await Person.objects.get_or_create(name="Fay", defaults={"age": 22})
    assert created is True
    assert new.pk is not None
    assert new.age == 22
    same, created = await Person.objects.get_or_create(name__iexact="FAY")
    assert created is False
    assert same.pk == new.pk


async def test_get_or_create_when_another_task_wins_the_race(people: Database) -> None:
    # Both tasks miss in get(); one INSERT wins, the other hits the unique email and
    # returns the winner's row instead of failing.
    results = await asyncio.gather(
        *[
            Person.objects.get_or_create(email="race@x", defaults={"name": f"r{i}"})
            for i in range(4)
        ]
    )
    assert [created for _, created in results].count(True) == 1
    assert len({person.pk for person, _ in results}) == 1
    # A unique clash with a row that does not match the lookup is still an error.
    with pytest.raises(IntegrityError):
        await Person.objects.get_or_create(name="Other", defaults={"email": "ann@x"})


async def test_get_or_create_inside_a_transaction_survives_the_clash(people: Database) -> None:
    async with atomic():
        with pytest.raises(IntegrityError):
            await Person.objects.get_or_create(name="New", defaults={"email": "ann@x"})
        # The failed INSERT was only a savepoint: the transaction goes on.
        await Person.objects.create(name="After")
    assert await Person.objects.filter(name="After").exists()


async def test_update_or_create(people: Database) -> None:
    ann, created = await Person.objects.update_or_create(name="Ann", defaults={"age": 32})
    assert created is False
    assert ann.age == 32
    assert (await Person.objects.get(name="Ann")).age == 32
    gus, created = await Person.objects.update_or_create(name="Gus", defaults={"age": 7})
    assert created is True
    assert (await Person.objects.get(pk=gus.pk)).age == 7
    with pytest.raises(FieldError, match="has no field 'nope'"):
        await Person.objects.update_or_create(name="Ann", defaults={"nope": 1})


async def test_in_bulk(people: Database) -> None:
    ann, bob = await Person.objects.get(name="Ann"), await Person.objects.get(name="Bob")
    found = await Person.objects.in_bulk([ann.pk, bob.pk, 9999])
    assert set(found) == {ann.pk, bob.pk}
    assert found[ann.pk].name == "Ann"
    assert len(await Person.objects.in_bulk()) == 5
    assert await Person.objects.in_bulk([]) == {}
    by_email = await Person.objects.in_bulk(["ann@x"], field_name="email")
    assert by_email["ann@x"].name == "Ann"
    with pytest.raises(FieldError, match="needs a unique field"):
        await Person.objects.in_bulk(["Oslo"], field_name="city")


async def test_async_for_streams_rows(people: Database) -> None:
    seen = [person.name async for person in Person.objects.order_by("name")]
    assert seen == ["Ann", "Bob", "Cid", "Dee", "Eve"]
    ages = [age async for age in Person.objects.order_by("age").values_list("age", flat=True)]
    assert ages == [17, 17, 31, 45, 60]
    rows = [row async for row in Person.objects.filter(name="Ann").values("name")]
    assert rows == [{"name": "Ann"}]


async def test_saving_rows_while_streaming_them(people: Database) -> None:
    # The stream holds one connection; each save() takes another (or, in a transaction,
    # the transaction's own).
    async for person in Person.objects.order_by("name"):
        person.age += 1
        await person.save()
    assert await Person.objects.order_by("name").values_list("age", flat=True) == [
        32,
        18,
        46,
        18,
        61,
    ]


async def test_streaming_many_rows_in_chunks(people: Database) -> None:
    await Person.objects.bulk_create([Person(name=f"s{i}", age=i % 90) for i in range(1500)])
    count = 0
    total = 0
    async for person in Person.objects.filter(name__startswith="s"):
        count += 1
        total += person.age
    assert count == 1500
    assert total == sum(i % 90 for i in range(1500))


async def test_select_for_update_serializes_two_transactions(people: Database) -> None:
    """The second task's locking read waits for the first task's commit, on every backend
    (SQLite by its database-wide write lock, the servers by row locks)."""
    ann = await Person.objects.get(name="Ann")
    order: list[str] = []
    locked = asyncio.Event()

    async def first() -> None:
        async with atomic():
            person = await Person.objects.select_for_update().get(pk=ann.pk)
            order.append("first locked")
            locked.set()
            await asyncio.sleep(0.3)
            person.age += 1
            await person.save()
            order.append("first commits")

    async def second() -> int:
        await locked.wait()
        async with atomic():
            person = await Person.objects.select_for_update().get(pk=ann.pk)
            order.append("second locked")
            person.age += 1
            await person.save()
            return person.age

    _, seen = await asyncio.gather(first(), second())
    assert order == ["first locked", "first commits", "second locked"]
    assert seen == 33
    assert (await Person.objects.get(pk=ann.pk)).age == 33


async def test_get_limits_its_own_copy_and_keeps_an_earlier_slice(people: Database) -> None:
    # get() puts its LIMIT on the copy filter() (or [:]) made, in place: never on the
    # QuerySet it was called on, and on top of a slice taken before.
    base = Person.objects.order_by("name")
    assert (await base.get(name="Bob")).age == 17
    assert (await base[1:2].get()).name == "Bob"
    assert base.query.high_mark is None
    assert base.query.low_mark == 0
    with pytest.raises(Person.MultipleObjectsReturned, match="found 2"):
        await base[1:3].get()
