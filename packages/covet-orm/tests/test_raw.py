"""raw.py: your own SELECT, hydrated into instances."""

from __future__ import annotations

import datetime

import pytest

from covet.orm import (
    CharField,
    Database,
    DateTimeField,
    FieldError,
    IntegerField,
    Model,
    create_tables,
)


class City(Model):
    __tablename__ = "cities"

    name = CharField(max_length=50)
    population = IntegerField()
    founded = DateTimeField(null=True)


async def test_raw_hydrates_instances_with_converted_values(database: Database) -> None:
    await create_tables(database, City)
    moment = datetime.datetime(1624, 1, 1, tzinfo=datetime.UTC)
    await City.objects.create(name="Oslo", population=700_000, founded=moment)
    await City.objects.create(name="Rome", population=2_800_000)
    mark = "?" if database.paramstyle == "qmark" else "%s"
    q = (database.backend.vendor == "mysql" and "`") or '"'
    sql = (
        f"SELECT {q}id{q}, {q}name{q}, {q}population{q}, {q}founded{q} FROM {q}cities{q} "
        f"WHERE {q}population{q} > {mark} ORDER BY {q}population{q} DESC"
    )
    cities = await City.objects.raw(sql, [100])
    assert [city.name for city in cities] == ["Rome", "Oslo"]
    assert cities[1].founded == moment
    assert isinstance(cities[0], City)
    assert cities[0].pk is not None
    # Instances from raw() are ordinary: they save as updates.
    cities[0].population += 1
    await cities[0].save()
    assert (await City.objects.get(name="Rome")).population == 2_800_001
    assert repr(City.objects.raw("SELECT 1")) == "<RawQuerySet of City: SELECT 1>"


async def test_raw_says_which_columns_it_needs(database: Database) -> None:
    await create_tables(database, City)
    await City.objects.create(name="Oslo", population=1)
    with pytest.raises(
        FieldError, match="rows have 1 columns; City needs 4, in this order: id, name"
    ):
        await City.objects.raw("SELECT 1 FROM cities")
