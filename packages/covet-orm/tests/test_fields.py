"""fields.py: validation, conversion, and every type's round trip on every backend."""

from __future__ import annotations

import datetime
import decimal
import math
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from covet.orm import (
    BigAutoField,
    BigIntegerField,
    BinaryField,
    BooleanField,
    CharField,
    Database,
    DateField,
    DateTimeField,
    DecimalField,
    FloatField,
    IntegerField,
    JSONField,
    Model,
    TextField,
    UUIDField,
    ValidationError,
    create_tables,
)
from covet.orm.fields import NOT_PROVIDED, Field

UTC = datetime.UTC


def no_swearing(value: str) -> None:
    if "darn" in value:
        raise ValidationError("no swearing")


def even(value: int) -> None:
    if value % 2:
        raise ValueError(f"{value} is odd")


class Sample(Model):
    __tablename__ = "samples"

    id = BigAutoField()
    char = CharField(max_length=10, default="", validators=[no_swearing])
    text = TextField(default="")
    integer = IntegerField(default=0, validators=[even])
    big = BigIntegerField(default=0)
    real = FloatField(default=0.0)
    money = DecimalField(max_digits=12, decimal_places=2, default=decimal.Decimal("0"))
    flag = BooleanField(default=False)
    day = DateField(null=True)
    moment = DateTimeField(null=True)
    token = UUIDField(default=uuid.uuid4)
    document = JSONField(null=True)
    blob = BinaryField(null=True)
    size = CharField(max_length=1, choices=[("S", "small"), ("L", "large")], default="S")


def field(name: str) -> Field:
    return Sample._meta.get_field(name)


# --- validation, without a database ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "char",
            "x" * 11,
            r"Sample.char: ensure this value has at most 10 characters \(it has 11\)",
        ),
        ("char", "darn it", "Sample.char: no swearing"),
        ("char", b"bytes", "Sample.char: expected text, got bytes b'bytes'"),
        ("text", "nul\x00", "Sample.text: text cannot contain NUL characters"),
        ("integer", 3, "Sample.integer: 3 is odd"),
        ("integer", "x", "Sample.integer: expected an integer, got 'x'"),
        ("integer", True, "Sample.integer: expected an integer, got True"),
        ("integer", 2**31, "Sample.integer: 2147483648 is out of range"),
        ("big", 2**63, "Sample.big: 9223372036854775808 is out of range"),
        ("real", "abc", "Sample.real: expected a number, got 'abc'"),
        ("real", False, "Sample.real: expected a number, got False"),
        pytest.param(
            "real",
            10**400,
            "Sample.real: expected a number a float can hold, got a larger one",
            id="real-10**400",
        ),
        ("real", "1e999", "Sample.real: expected a finite number, got '1e999'"),
        ("real", float("-inf"), "Sample.real: expected a finite number, got -inf"),
        ("real", float("nan"), "Sample.real: expected a finite number, got nan"),
        ("money", "1.234", "Sample.money: 1.234 has more than 2 decimal places"),
        ("money", "12345678901", "Sample.money: 12345678901 has more than 12 digits in total"),
        ("money", "1E+11", "Sample.money: 1E\\+11 has more than 12 digits in total"),
        ("money", "abc", "Sample.money: expected a decimal number, got 'abc'"),
        ("money", "NaN", "Sample.money: expected a finite number, got 'NaN'"),
        ("money", True, "Sample.money: expected a decimal number, got True"),
        ("flag", "yes", "Sample.flag: expected True or False, got 'yes'"),
        ("day", "2024-13-01", "Sample.day: expected a date, got '2024-13-01'"),
        ("day", datetime.datetime(2024, 1, 1, tzinfo=UTC), "Sample.day: expected a date, got a"),
        ("moment", datetime.datetime(2024, 1, 1), "Sample.moment: naive datetime 2024-01-01T"),
        ("moment", "2024-01-01T10:00:00", "Sample.moment: naive datetime"),
        ("moment", "yesterday", "Sample.moment: expected a datetime, got 'yesterday'"),
        ("moment", datetime.date(2024, 1, 1), "Sample.moment: expected a datetime, got"),
        ("token", "not-a-uuid", "Sample.token: expected a UUID, got 'not-a-uuid'"),
        ("document", {"a": {1, 2}}, "Sample.document: value is not JSON-serializable"),
        ("blob", "text", "Sample.blob: expected bytes, got str"),
        ("size", "M", "Sample.size: 'M' is not one of the choices \\('S', 'L'\\)"),
        ("char", None, "Sample.char: this field cannot be null"),
    ],
)
def test_clean_refuses_bad_values_naming_the_field(name: str, value: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as caught:
        field(name).clean(value)
    assert caught.value.field == name
    assert caught.value.errors == {name: [caught.value.message]}


@pytest.mark.parametrize(
    ("name", "value", "cleaned"),
    [
        ("char", 42, "42"),
        ("integer", "12", 12),
        ("integer", 4.0, 4),
        ("real", "1.5", 1.5),
        ("real", 2, 2.0),
        ("money", 1.5, decimal.Decimal("1.5")),
        ("money", "100", decimal.Decimal("100")),
        ("flag", 1, True),
        ("flag", 0, False),
        ("day", "2024-02-29", datetime.date(2024, 2, 29)),
        ("moment", "2024-01-01T10:00:00+02:00", datetime.datetime(2024, 1, 1, 8, tzinfo=UTC)),
        (
            "token",
            "12345678-1234-5678-1234-567812345678",
            uuid.UUID(int=0x12345678123456781234567812345678),
        ),
        ("blob", bytearray(b"ab"), b"ab"),
        ("blob", memoryview(b"ab"), b"ab"),
        ("document", None, None),
    ],
)
def test_clean_converts_compatible_values(name: str, value: Any, cleaned: Any) -> None:
    result = field(name).clean(value)
    assert result == cleaned
    assert type(result) is type(cleaned)


def test_defaults_constant_and_callable() -> None:
    first, second = Sample(), Sample()
    assert first.char == ""
    assert first.integer == 0
    assert first.day is None
    assert isinstance(first.token, uuid.UUID)
    assert first.token != second.token  # the callable runs per instance
    assert field("day").has_default() is False
    assert field("day").get_default() is None
    assert repr(NOT_PROVIDED) == "NOT_PROVIDED"


def test_field_options_are_checked_when_declared() -> None:
    with pytest.raises(ValueError, match="max_length >= 1"):
        CharField(max_length=0)
    with pytest.raises(ValueError, match="decimal_places <= max_digits"):
        DecimalField(max_digits=2, decimal_places=3)
    with pytest.raises(Exception, match="invalid db_column 'a b'"):
        IntegerField(db_column="a b")


def test_field_repr_and_label() -> None:
    assert repr(field("char")) == "<CharField: Sample.char>"
    assert CharField(max_length=3).label == "?."


def test_full_clean_reports_every_failing_field() -> None:
    sample = Sample(char="x" * 20, integer=3, size="XL")
    with pytest.raises(ValidationError) as caught:
        sample.full_clean()
    assert set(caught.value.errors) == {"char", "integer", "size"}
    assert caught.value.field == "char"
    assert str(caught.value).startswith("Sample is not valid: Sample.char: ensure")


# --- round trips on every backend -------------------------------------------------------------


@pytest.mark.parametrize("how", ["create", "bulk_create", "bulk_create with keys"])
async def test_every_field_type_round_trips(database: Database, how: str) -> None:
    # bulk_create goes its own way (one array per column on PostgreSQL, Dialect.unnest_types):
    # every kind of value must come back the same as through create().
    await create_tables(database, Sample)
    tokyo = ZoneInfo("Asia/Tokyo")
    values: dict[str, Any] = {
        "char": "ü'\"\\%?",
        "text": "long " * 1000,
        "integer": -(2**31),
        "big": 2**63 - 1,
        "real": math.pi,
        "money": decimal.Decimal("-9999999999.99"),
        "flag": True,
        "day": datetime.date(1999, 12, 31),
        "moment": datetime.datetime(2024, 3, 10, 9, 30, 15, 123456, tzinfo=tokyo),
        "token": uuid.UUID("00000000-0000-4000-8000-000000000001"),
        "document": {"list": [1, 2.5, None, True], "text": "é🎉", "nested": {"a": []}},
        "blob": b"\x00\xff\x80binary",
    }
    if how == "create":
        sample = await Sample.objects.create(**values)
    else:
        # Two rows (one a NULL in every nullable column), so that they go in one statement.
        nulls = {"day": None, "moment": None, "document": None, "blob": None}
        first, second = ({**nulls}, {}) if how == "bulk_create" else ({**nulls, "pk": 7}, {"pk": 8})
        made = await Sample.objects.bulk_create(
            [Sample(**{**values, **first}), Sample(**values, **second)]
        )
        if how == "bulk_create with keys":
            assert [m.pk for m in made] == [7, 8]
        empty = await Sample.objects.get(pk=made[0].pk)
        assert [empty.day, empty.moment, empty.document, empty.blob] == [None] * 4
        assert empty.text == values["text"]
        sample = made[1]
    loaded = await Sample.objects.get(pk=sample.pk)
    for f in Sample._meta.fields:
        assert getattr(loaded, f.name) == getattr(sample, f.name), f.name
        assert type(getattr(loaded, f.name)) is type(getattr(sample, f.name)), f.name
    # The same instant, handed back in UTC on every backend.
    assert loaded.moment == datetime.datetime(2024, 3, 10, 0, 30, 15, 123456, tzinfo=UTC)
    assert loaded.moment.utcoffset() == datetime.timedelta(0)
    assert loaded.money == decimal.Decimal("-9999999999.99")
    assert str(loaded.money) == "-9999999999.99"


async def test_nulls_and_small_values_round_trip(database: Database) -> None:
    await create_tables(database, Sample)
    sample = await Sample.objects.create(money=decimal.Decimal("0.1"), document=["x"], flag=False)
    loaded = await Sample.objects.get(pk=sample.pk)
    assert loaded.day is None
    assert loaded.moment is None
    assert loaded.blob is None
    assert loaded.money == decimal.Decimal("0.10")
    assert str(loaded.money) == "0.10"
    assert loaded.document == ["x"]
    assert loaded.flag is False


async def test_filtering_by_each_type(database: Database) -> None:
    await create_tables(database, Sample)
    berlin = ZoneInfo("Europe/Berlin")
    early = datetime.datetime(2024, 1, 1, 12, tzinfo=berlin)
    late = datetime.datetime(2024, 6, 1, 12, tzinfo=UTC)
    token = uuid.uuid4()
    await Sample.objects.create(moment=early, day=datetime.date(2024, 1, 1), money="1.50")
    await Sample.objects.create(moment=late, token=token, flag=True, money="10.25", real=2.5)
    # An aware datetime in another zone compares as the same instant.
    same_instant = early.astimezone(ZoneInfo("America/New_York"))
    assert await Sample.objects.filter(moment=same_instant).count() == 1
    assert await Sample.objects.filter(moment__gt=early).count() == 1
    assert await Sample.objects.filter(moment__range=(early, late)).count() == 2
    assert await Sample.objects.filter(day__lt=datetime.date(2024, 2, 1)).count() == 1
    assert await Sample.objects.filter(token=token).count() == 1
    assert await Sample.objects.filter(token__in=[str(token)]).count() == 1
    assert await Sample.objects.filter(flag=True).count() == 1
    assert await Sample.objects.filter(money__gte=decimal.Decimal("2")).count() == 1
    assert await Sample.objects.filter(money="1.5").count() == 1
    assert await Sample.objects.filter(real__gt=1).count() == 1
    assert await Sample.objects.filter(document__isnull=True).count() == 2
    with pytest.raises(ValidationError, match="naive datetime"):
        Sample.objects.filter(moment__gt=datetime.datetime(2024, 1, 1))


async def test_infinities_and_nan_are_refused_alike_on_every_backend(database: Database) -> None:
    # MySQL cannot store them and SQLite turns NaN into NULL: refused before any SQL.
    await create_tables(database, Sample)
    for value in (float("inf"), float("-inf"), float("nan"), "1e999", 10**400):
        with pytest.raises(ValidationError, match=r"Sample\.real: expected a"):
            await Sample.objects.create(real=value)
        with pytest.raises(ValidationError, match=r"Sample\.real: expected a"):
            await Sample.objects.filter(real__lt=value).count()
    assert await Sample.objects.count() == 0


async def test_a_text_primary_key_and_a_uuid_primary_key(database: Database) -> None:
    class Code(Model):
        __tablename__ = "codes"
        code = CharField(max_length=5, primary_key=True)

    class Ticket(Model):
        __tablename__ = "tickets"
        ref = UUIDField(primary_key=True, default=uuid.uuid4)
        title = CharField(max_length=20)

    await create_tables(database, Code, Ticket)
    code = await Code.objects.create(code="AB")
    assert (await Code.objects.get(pk="AB")).code == "AB"
    assert await Code.objects.filter(pk="ab").count() == 0
    ticket = await Ticket.objects.create(title="x")
    assert isinstance(ticket.pk, uuid.UUID)
    assert (await Ticket.objects.get(pk=ticket.pk)).title == "x"
    await code.delete()
    assert await Code.objects.count() == 0


@pytest.mark.parametrize(
    ("field_", "value", "message"),
    [
        (CharField(max_length=3), "abcd", "at most 3 characters"),
        (CharField(max_length=3), "a\x00", "cannot contain NUL"),
        (CharField(max_length=3, choices=["a"]), "b", "not one of the choices"),
        (CharField(max_length=9, validators=[no_swearing]), "darn", "no swearing"),
        (IntegerField(), True, "expected an integer"),
        (IntegerField(), 2**31, "out of range"),
        (IntegerField(), -(2**31) - 1, "out of range"),
        (IntegerField(choices=[1]), 2, "not one of the choices"),
        (IntegerField(validators=[even]), 3, "is odd"),
    ],
)
def test_the_one_call_clean_of_str_and_int_still_checks_everything(
    field_: Field, value: Any, message: str
) -> None:
    # CharField.clean and IntegerField.clean accept a plain str or int in one call: each
    # condition that must send it through the full checks does.
    with pytest.raises(ValidationError, match=message):
        field_.clean(value)
    plain = "ab" if isinstance(field_, CharField) else 4
    if field_.choices is None:
        assert field_.clean(plain) is plain
