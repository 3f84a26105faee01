"""Hydration (``hydration.py``): a row becomes the same instance, however it is loaded.

The compiled loaders skip ``from_db`` for the fields marked ``read_as_is``: these tests pin
that every driver really returns those values as the Python type, and that the loaders give
what the plain, field-by-field path gives (``Field.from_db`` and ``setattr``).
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

import pytest

from covet.orm import (
    CASCADE,
    SET_NULL,
    BooleanField,
    CharField,
    DateTimeField,
    DecimalField,
    FloatField,
    ForeignKey,
    IntegerField,
    JSONField,
    Model,
    TextField,
    UUIDField,
    ValidationError,
    create_tables,
)
from covet.orm.database import Database
from covet.orm.dialects import SQLiteDialect, dialect_for
from covet.orm.hydration import loader_source, row_loader
from covet.orm.related import related_cache

WHEN = datetime.datetime(2024, 5, 1, 12, 30, tzinfo=datetime.UTC)


class Publisher(Model):
    __tablename__ = "hyd_publisher"
    name = CharField(max_length=50)


class Writer(Model):
    __tablename__ = "hyd_writer"
    name = CharField(max_length=50)
    publisher = ForeignKey(Publisher, on_delete=SET_NULL, null=True, related_name="writers")


class Record(Model):
    """One column of every kind the loaders treat differently."""

    __tablename__ = "hyd_record"
    title = CharField(max_length=50)
    body = TextField(null=True)
    count = IntegerField()
    ratio = FloatField()
    active = BooleanField()
    price = DecimalField(max_digits=8, decimal_places=2)
    seen = DateTimeField()
    token = UUIDField()
    extra = JSONField(null=True)
    writer = ForeignKey(Writer, on_delete=CASCADE, null=True, related_name="records")


def plain_instance(model: type[Model], fields: Any, row: Any, dialect: Any) -> Model:
    """What loading a row meant before the compiled loaders: from_db and setattr per field."""
    instance = model.__new__(model)
    for field, value in zip(fields, row, strict=False):
        setattr(instance, field.name, field.from_db(value, dialect))
    instance._persisted = True
    return instance


async def test_every_kind_of_column_loads_as_from_db_converts_it(database: Database) -> None:
    await create_tables(database, Publisher, Writer, Record)
    writer = await Writer.objects.create(name="Ann")
    token = uuid.uuid4()
    await Record.objects.create(
        title="t", body=None, count=3, ratio=2.0, active=True, price=decimal.Decimal("1.50"),
        seen=WHEN, token=token, extra={"a": [1, 2]}, writer=writer,
    )  # fmt: skip
    (loaded,) = await Record.objects.all()
    assert loaded._persisted
    assert vars(loaded) == {
        "id": loaded.id, "title": "t", "body": None, "count": 3, "ratio": 2.0, "active": True,
        "price": decimal.Decimal("1.50"), "seen": WHEN, "token": token, "extra": {"a": [1, 2]},
        "writer_id": writer.id,
    }  # fmt: skip
    # The values a driver returns for the read_as_is fields already have the Python type.
    assert type(loaded.id) is int
    assert type(loaded.count) is int
    assert type(loaded.ratio) is float
    assert type(loaded.title) is str
    dialect = await dialect_for(database)
    row = (await database.fetch_all(*Record.objects.all().sql(dialect)))[0]
    plain = plain_instance(Record, Record._meta.fields, row, dialect)
    assert vars(loaded) == {key: value for key, value in vars(plain).items() if key[0] != "_"}


async def test_select_related_builds_each_level_and_none_for_a_missing_row(
    database: Database,
) -> None:
    await create_tables(database, Publisher, Writer, Record)
    house = await Publisher.objects.create(name="House")
    ann = await Writer.objects.create(name="Ann", publisher=house)
    solo = await Writer.objects.create(name="Solo", publisher=None)
    await Record.objects.bulk_create([_record("a", ann), _record("b", solo), _record("c", None)])
    records = await Record.objects.select_related("writer__publisher").order_by("title")
    assert [r.title for r in records] == ["a", "b", "c"]
    a, b, c = records
    assert a.writer.name == "Ann"
    assert a.writer.publisher.name == "House"
    assert a.writer._persisted
    assert a.writer.publisher._persisted
    assert b.writer.name == "Solo"
    assert b.writer.publisher is None
    assert c.writer is None
    assert related_cache(c) == {"writer": None}
    assert a.writer_id == ann.id
    assert a.writer.publisher_id == house.id


async def test_a_loaded_instance_saves_as_an_update_and_a_new_one_as_an_insert(
    database: Database,
) -> None:
    await create_tables(database, Publisher)
    fresh = Publisher(name="New")
    assert not fresh._persisted  # set by __init__
    await fresh.save()
    (loaded,) = await Publisher.objects.all()
    assert loaded._persisted
    assert "_persisted" not in vars(loaded)
    loaded.name = "Renamed"
    await loaded.save()
    assert [p.name for p in await Publisher.objects.all()] == ["Renamed"]


def test_the_loader_is_a_dict_display_with_conversions_only_where_needed() -> None:
    dialect = SQLiteDialect()
    source = loader_source(Writer._meta.fields, dialect)
    assert "{'id': values[0], 'name': values[1], 'publisher_id': values[2]}" in source
    shifted = loader_source(Record._meta.fields, dialect, start=4)
    assert "'title': values[5]" in shifted  # read as is
    assert "'active': from_db_5(values[9], dialect)" in shifted  # SQLite stores 0/1
    assert "'seen': from_db_7(values[11], dialect)" in shifted


def test_a_select_related_loader_builds_the_related_instance_in_the_same_display() -> None:
    dialect = SQLiteDialect()
    meta = Record._meta
    fields = [meta.get_field("id"), meta.get_field("title"), meta.get_field("writer")]
    writer = row_loader(Writer, Writer._meta.fields, dialect, 3)
    related = [("writer", 3, writer)]
    source = loader_source(fields, dialect, 0, related)
    cache = "'_related_cache': {'writer': None if values[3] is None else related_0(values)}"
    assert cache in source
    record = row_loader(Record, fields, dialect, 0, related)((1, "t", 5, 5, "W", None))
    assert record.writer.name == "W"
    assert record.writer.publisher is None  # its key is NULL: nothing to load
    alone = row_loader(Record, fields, dialect, 0, related)((2, "u", None, None, None, None))
    assert alone.writer is None
    assert related_cache(alone) == {"writer": None}


def test_loaders_are_made_once_per_model_columns_and_dialect() -> None:
    dialect = SQLiteDialect()
    fields = Publisher._meta.fields
    assert row_loader(Publisher, fields, dialect) is row_loader(Publisher, list(fields), dialect)
    assert row_loader(Publisher, fields, dialect) is not row_loader(Publisher, fields, dialect, 1)
    publisher = row_loader(Publisher, fields, dialect, 1)(("ignored", 7, "P", "ignored"))
    assert (publisher.id, publisher.name) == (7, "P")
    assert Publisher.from_db(fields, (8, "Q"), dialect).name == "Q"


def _record(title: str, writer: Writer | None) -> Record:
    return Record(
        title=title, count=1, ratio=0.5, active=False, price=decimal.Decimal("2"),
        seen=WHEN, token=uuid.uuid4(), writer=writer,
    )  # fmt: skip


async def test_bulk_create_stores_each_value_converted_once_as_save_does(
    database: Database,
) -> None:
    # bulk_create cleans and adapts every value in one pass (bulk.py): text for numbers,
    # dates and keys must arrive converted, and the instances keep the converted values.
    await create_tables(database, Publisher, Writer, Record)
    writer = await Writer.objects.create(name="Ann")
    token = uuid.uuid4()
    given: dict[str, Any] = {
        "body": None, "count": "7", "ratio": 1, "active": 1, "price": "2.5",
        "seen": WHEN.isoformat(), "token": str(token), "extra": [1, {"b": None}], "writer": writer,
    }  # fmt: skip
    made = await Record.objects.bulk_create([Record(title=f"r{i}", **given) for i in range(3)])
    saved = Record(title="saved", **given)
    await saved.save()
    expected = {
        "body": None, "count": 7, "ratio": 1.0, "active": True,
        "price": decimal.Decimal("2.50"), "seen": WHEN, "token": token,
        "extra": [1, {"b": None}], "writer_id": writer.id,
    }  # fmt: skip
    for record in [*made, saved]:
        assert {key: vars(record)[key] for key in expected} == expected
    loaded = await Record.objects.order_by("title")
    assert [r.title for r in loaded] == ["r0", "r1", "r2", "saved"]
    for record in loaded:
        assert {key: vars(record)[key] for key in expected} == expected


async def test_bulk_create_lists_every_problem_and_writes_nothing(database: Database) -> None:
    await create_tables(database, Publisher, Writer, Record)
    good = Record(
        title="ok", count=1, ratio=1.0, active=True, price=1, seen=WHEN, token=uuid.uuid4()
    )
    bad = Record(title="x" * 51, count="many", ratio=1.0, active=True, price=1, seen=WHEN)
    with pytest.raises(ValidationError) as raised:
        await Record.objects.bulk_create([good, bad])
    assert set(raised.value.errors) == {"title", "count", "token"}
    assert await Record.objects.count() == 0
    assert good.pk is None
