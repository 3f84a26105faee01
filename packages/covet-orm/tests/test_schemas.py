"""schemas.py: pydantic models built from ORM models, and instances converted both ways."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

import pydantic
import pytest

from covet.orm import (
    BigIntegerField,
    BinaryField,
    BooleanField,
    CharField,
    Database,
    DateField,
    DateTimeField,
    DecimalField,
    FieldError,
    FloatField,
    IntegerField,
    JSONField,
    Model,
    TextField,
    UUIDField,
    create_tables,
)
from covet.orm.schemas import model_schema


class Product(Model):
    name = CharField(max_length=20)
    description = TextField(null=True)
    stock = IntegerField(default=0)
    sold = BigIntegerField(default=0)
    rating = FloatField(null=True)
    price = DecimalField(max_digits=6, decimal_places=2)
    active = BooleanField(default=True)
    size = CharField(max_length=1, choices=[("S", "small"), ("M", "medium"), ("L", "large")])
    released = DateField(null=True)
    updated = DateTimeField()
    code = UUIDField(default=uuid.uuid4)
    extra = JSONField(null=True)
    image = BinaryField(null=True)


class Token(Model):
    key = UUIDField(primary_key=True, default=uuid.uuid4)
    model_name = CharField(max_length=10)  # a "model_" name: pydantic must not warn


NOW = datetime.datetime(2024, 5, 1, 12, 30, tzinfo=datetime.UTC)


def product_values(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "Lamp",
        "price": decimal.Decimal("19.90"),
        "size": "M",
        "updated": NOW,
    }
    values.update(overrides)
    return values


# --- building a schema ----------------------------------------------------------------------


def test_output_schema_has_every_field_with_its_type() -> None:
    schema = Product.schema()
    assert issubclass(schema, pydantic.BaseModel)
    assert schema.__name__ == "ProductSchema"
    assert list(schema.model_fields) == [f.name for f in Product._meta.fields]
    properties = schema.model_json_schema()["properties"]
    assert properties["id"]["type"] == "integer"
    assert properties["name"] == {"maxLength": 20, "title": "Name", "type": "string"}
    assert properties["stock"]["maximum"] == 2**31 - 1
    assert properties["sold"]["maximum"] == 2**63 - 1
    assert properties["size"]["enum"] == ["S", "M", "L"]
    assert properties["updated"]["format"] == "date-time"
    assert properties["code"]["format"] == "uuid"
    assert properties["released"]["anyOf"] == [
        {"format": "date", "type": "string"},
        {"type": "null"},
    ]
    assert set(schema.model_json_schema()["required"]) == {"id", "name", "price", "size", "updated"}


def test_field_types_validate_as_the_orm_would() -> None:
    schema = Product.schema(for_="input")
    ok = schema.model_validate(product_values(image=b"\x00\x01", extra={"tags": ["a"]}))
    assert ok.price == decimal.Decimal("19.90")  # type: ignore[attr-defined]
    assert ok.stock == 0  # type: ignore[attr-defined]
    assert ok.active is True  # type: ignore[attr-defined]
    assert isinstance(ok.code, uuid.UUID)  # type: ignore[attr-defined]
    assert ok.code != schema.model_validate(product_values()).code  # type: ignore[attr-defined]
    bad = {
        "name": "x" * 21,
        "price": decimal.Decimal("1.234"),
        "size": "XL",
        "updated": datetime.datetime(2024, 5, 1),  # naive
        "stock": 2**31,
        "rating": "high",
    }
    with pytest.raises(pydantic.ValidationError) as caught:
        schema.model_validate(bad)
    assert {error["loc"][0] for error in caught.value.errors()} == set(bad)


def test_input_schema_leaves_out_a_generated_key_but_keeps_a_given_one() -> None:
    assert "id" not in Product.schema(for_="input").model_fields
    assert Product.schema(for_="input").__name__ == "ProductInputSchema"
    token_input = Token.schema(for_="input")
    assert not token_input.model_fields["key"].is_required()
    assert Token.schema().model_fields["key"].is_required()
    assert token_input.model_validate({"model_name": "m"}).key is not None  # type: ignore[attr-defined]


def test_include_exclude_and_name() -> None:
    public = Product.schema(include=["pk", "name", "price"], name="PublicProduct")
    assert public.__name__ == "PublicProduct"
    assert list(public.model_fields) == ["id", "name", "price"]
    without = Product.schema(exclude={"image", "extra"})
    assert "image" not in without.model_fields
    assert "name" in without.model_fields


def test_schemas_are_cached_per_argument_set() -> None:
    assert Product.schema() is Product.schema()
    assert Product.schema(exclude=["image", "extra"]) is Product.schema(exclude={"extra", "image"})
    assert Product.schema() is model_schema(Product)
    assert Product.schema(for_="input") is not Product.schema()


def test_bad_arguments_are_clear_errors() -> None:
    with pytest.raises(FieldError, match="Product has no field 'nme'; choices are: pk, id"):
        Product.schema(include=["nme"])
    with pytest.raises(TypeError, match="collection of field names"):
        Product.schema(exclude="name")
    with pytest.raises(ValueError, match="for_ must be 'input' or 'output'"):
        Product.schema(for_="both")  # type: ignore[arg-type]
    with pytest.raises(FieldError, match="nested= names relations; name is not one"):
        Product.schema(nested={"name": Token.schema()})


# --- converting -----------------------------------------------------------------------------


def test_instance_to_schema_and_back_without_a_database() -> None:
    product = Product(**product_values())
    product.id = 7
    out = product.to_schema()
    assert isinstance(out, Product.schema())
    assert Product.schema().model_validate(product).model_dump() == out.model_dump()
    again = Product.from_schema(out)
    assert isinstance(again, Product)
    assert again.pk == 7
    assert again.code == product.code
    assert again._persisted is False
    from_dict = Product.from_schema({"name": "Desk", "price": "5", "size": "L", "updated": NOW})
    assert from_dict.name == "Desk"


async def test_round_trip_through_the_database(database: Database) -> None:
    await create_tables(database, Product)
    body = Product.schema(for_="input").model_validate_json(
        '{"name": "Lamp", "price": "19.90", "size": "M", "updated": "2024-05-01T14:30:00+02:00",'
        ' "extra": {"colors": ["red"]}, "image": "AAE=", "released": "2024-04-30"}'
    )
    created = Product.from_schema(body)
    await created.save()
    stored = await Product.objects.get(pk=created.pk)
    out = stored.to_schema(Product.schema())
    assert out.model_dump() == {
        "id": created.pk,
        "name": "Lamp",
        "description": None,
        "stock": 0,
        "sold": 0,
        "rating": None,
        "price": decimal.Decimal("19.90"),
        "active": True,
        "size": "M",
        "released": datetime.date(2024, 4, 30),
        "updated": NOW,
        "code": created.code,
        "extra": {"colors": ["red"]},
        "image": b"AAE=",
    }
    assert out.updated.tzinfo is not None  # type: ignore[attr-defined]
    # JSON out and in again gives an equal instance.
    echoed = Product.schema().model_validate_json(out.model_dump_json())
    assert echoed == out
