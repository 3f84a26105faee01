"""Number fields: whole numbers with their column's range, floats, and exact decimals.

Split from ``fields.py`` (which holds :class:`~covet.orm.fields.Field` and the other kinds) and
re-exported there, so ``covet.orm.fields.IntegerField`` is where a reader and covet-migrations
look for it. What is particular to numbers:

- a whole number is checked against its column's range here (32 bits for ``IntegerField``, 64
  for ``BigIntegerField``), so every backend refuses the same values; a lookup past the range
  keeps the :class:`~covet.orm.errors.OutOfRangeError` and decides when compiled (``lookups.py``);
- a float must be finite: infinities and NaN are stored differently, or not at all, by the
  three backends;
- a decimal is quantized to its ``decimal_places``, as the column would round it.
"""

from __future__ import annotations

import decimal
import math
import re
from typing import Any, ClassVar

from covet.orm.dialects import Dialect
from covet.orm.errors import OutOfRangeError
from covet.orm.fields import Field

__all__ = [
    "DIGITS",
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "DecimalField",
    "FloatField",
    "IntegerField",
]

#: A whole number written out, as ``int()`` reads it (a sign, digits).
DIGITS = re.compile(r"[+-]?\d+")


class IntegerField(Field):
    """A whole number that fits in 32 bits (checked here, so every backend agrees)."""

    kind = "IntegerField"
    # sqlite3, psycopg and PyMySQL all return int for integer columns; ``convert`` remains
    # for computed values such as MySQL's SUM(), which comes back as a Decimal.
    read_as_is = True
    min_value: ClassVar[int] = -(2**31)
    max_value: ClassVar[int] = 2**31 - 1

    def clean(self, value: Any) -> Any:
        # The usual value, checked in one call: an int in range, on a field with no choices
        # and no validators. ``Field.clean`` would accept it unchanged after the same checks,
        # through three more calls; bulk_create() cleans every value of every row.
        if (
            type(value) is int  # not a bool, which is an int too
            and self.min_value <= value <= self.max_value
            and self.choices is None
            and not self.validators
        ):
            return value
        return super().clean(value)

    def to_python(self, value: Any) -> int:
        if isinstance(value, bool):
            raise self.error(f"expected an integer, got {value!r}")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        try:
            number = value if isinstance(value, int) else int(str(value))
        except ValueError:
            text = str(value).strip()
            if not DIGITS.fullmatch(text):
                raise self.error(f"expected an integer, got {value!r}") from None
            # More digits than int() reads (4,300 by default): far past any column's range.
            digits = len(text.lstrip("+-"))
            raise self.out_of_range(f"a {digits}-digit number", not text.startswith("-")) from None
        if not self.min_value <= number <= self.max_value:
            shown = str(number)
            if len(shown) > 40:  # the message says how large, without echoing every digit
                shown = f"a {len(shown.lstrip('-'))}-digit number"
            raise self.out_of_range(shown, number > self.max_value)
        return number

    def out_of_range(self, shown: str, above: bool) -> OutOfRangeError:
        """The error for a number past this field's range (``above``: past the top)."""
        return OutOfRangeError(
            f"{self.label}: {shown} is out of range [{self.min_value}, {self.max_value}]",
            field=self.name,
            limit=self.max_value if above else self.min_value,
            above=above,
        )

    def convert(self, value: Any, dialect: Dialect) -> int:
        return int(value)


class BigIntegerField(IntegerField):
    """A whole number that fits in 64 bits."""

    kind = "BigIntegerField"
    min_value = -(2**63)
    max_value = 2**63 - 1


class AutoField(IntegerField):
    """An integer primary key the database assigns on INSERT (the default ``id``)."""

    kind = "AutoField"
    auto_generated = True

    def __init__(self, **options: Any) -> None:
        options.setdefault("primary_key", True)
        super().__init__(**options)


class BigAutoField(AutoField):
    """A 64-bit :class:`AutoField`."""

    kind = "BigAutoField"
    min_value = -(2**63)
    max_value = 2**63 - 1


class FloatField(Field):
    """A double-precision floating point number, finite.

    Infinities and NaN are refused: MySQL cannot store them and SQLite stores NaN as NULL,
    so accepting them would make the backends disagree (and ``"1e999"`` from a form is inf).
    """

    kind = "FloatField"
    read_as_is = True  # REAL / DOUBLE PRECISION / DOUBLE come back as float everywhere

    def to_python(self, value: Any) -> float:
        if isinstance(value, bool):
            raise self.error(f"expected a number, got {value!r}")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise self.error(f"expected a number, got {value!r}") from None
        except OverflowError:  # an int past the largest float, 10**400
            raise self.error("expected a number a float can hold, got a larger one") from None
        if not math.isfinite(number):
            raise self.error(f"expected a finite number, got {value!r}")
        return number

    def convert(self, value: Any, dialect: Dialect) -> float:
        return float(value)


class DecimalField(Field):
    """An exact number: ``max_digits`` digits, ``decimal_places`` of them after the point.

    A value with more places or digits than declared is refused rather than rounded, because
    the backends would round it differently (or, SQLite, not at all).
    """

    kind = "DecimalField"

    def __init__(self, *, max_digits: int, decimal_places: int, **options: Any) -> None:
        if not 0 <= decimal_places <= max_digits:
            raise ValueError("DecimalField needs 0 <= decimal_places <= max_digits")
        super().__init__(**options)
        self.max_digits = max_digits
        self.decimal_places = decimal_places

    def to_python(self, value: Any) -> decimal.Decimal:
        if isinstance(value, bool):
            raise self.error(f"expected a decimal number, got {value!r}")
        try:
            number = decimal.Decimal(str(value) if isinstance(value, float) else value)
        except (TypeError, ValueError, decimal.InvalidOperation):
            raise self.error(f"expected a decimal number, got {value!r}") from None
        if not number.is_finite():
            raise self.error(f"expected a finite number, got {value!r}")
        digits, exponent = len(number.as_tuple().digits), number.as_tuple().exponent
        assert isinstance(exponent, int)  # finite numbers have an int exponent
        places = max(0, -exponent)
        whole_digits = digits + exponent if exponent >= 0 else max(0, digits - places)
        if places > self.decimal_places:
            raise self.error(f"{number} has more than {self.decimal_places} decimal places")
        if whole_digits > self.max_digits - self.decimal_places:
            raise self.error(f"{number} has more than {self.max_digits} digits in total")
        return number

    def adapt(self, value: Any, dialect: Dialect) -> Any:
        return dialect.adapt_decimal(value)

    def convert(self, value: Any, dialect: Dialect) -> decimal.Decimal:
        number = dialect.convert_decimal(value)
        return number.quantize(decimal.Decimal(1).scaleb(-self.decimal_places))

    def type_parameters(self) -> dict[str, Any]:
        return {"max_digits": self.max_digits, "decimal_places": self.decimal_places}
