"""lookups.py: every lookup means the same on SQLite, PostgreSQL and MySQL/MariaDB.

Each case runs on all three backends (the ``database`` fixture), against the same rows, and
expects the same set of matches: case rules, LIKE wildcards in values, trailing spaces,
non-ASCII letters, NULLs under exclude().
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from covet.orm import (
    BigIntegerField,
    BinaryField,
    CharField,
    Database,
    F,
    FieldError,
    IntegerField,
    Model,
    Q,
    Sum,
    TextField,
    ValidationError,
    create_tables,
)
from covet.orm.errors import OutOfRangeError


class Word(Model):
    __tablename__ = "words"

    text = CharField(max_length=100, null=True)
    n = IntegerField(default=0)


class Note(Model):
    __tablename__ = "notes"

    body = TextField()
    data = BinaryField(null=True)


TEXTS = [
    "Apple",
    "apple",
    "APPLE pie",
    "banana",
    "50% off",
    "50 off",
    "a_b",
    "axb",
    "x'y",
    "back\\slash",
    "ünïcode Ä",
    "trailing ",
    "trailing",
    None,
]


@pytest.fixture
async def words(database: Database) -> AsyncIterator[Database]:
    await create_tables(database, Word)
    await Word.objects.bulk_create([Word(text=text, n=i) for i, text in enumerate(TEXTS)])
    return database


async def matching(**lookup: Any) -> set[str | None]:
    return set(await Word.objects.filter(**lookup).values_list("text", flat=True))


CASES = [
    # exact: case, trailing spaces and accents all count
    ({"text": "apple"}, {"apple"}),
    ({"text": "APPLE"}, set()),
    ({"text": "trailing"}, {"trailing"}),
    ({"text__exact": "trailing "}, {"trailing "}),
    ({"text": "ünïcode ä"}, set()),
    # iexact: LOWER() of both sides
    ({"text__iexact": "APPLE"}, {"Apple", "apple"}),
    # contains: case-sensitive everywhere (SQLite's LIKE and MySQL's collations are not)
    ({"text__contains": "pp"}, {"Apple", "apple"}),
    ({"text__contains": "PP"}, {"APPLE pie"}),
    ({"text__contains": "A"}, {"Apple", "APPLE pie"}),
    ({"text__contains": "Ä"}, {"ünïcode Ä"}),
    ({"text__contains": "ä"}, set()),
    ({"text__icontains": "aPp"}, {"Apple", "apple", "APPLE pie"}),
    # LIKE's wildcards in a value match only themselves
    ({"text__contains": "%"}, {"50% off"}),
    ({"text__icontains": "0% O"}, {"50% off"}),
    ({"text__contains": "_"}, {"a_b"}),
    ({"text__startswith": "a_"}, {"a_b"}),
    ({"text__contains": "*"}, set()),
    ({"text__contains": "'"}, {"x'y"}),
    ({"text__contains": "\\"}, {"back\\slash"}),
    ({"text__icontains": "K\\S"}, {"back\\slash"}),
    # startswith / endswith and their i-twins
    ({"text__startswith": "app"}, {"apple"}),
    ({"text__istartswith": "app"}, {"Apple", "apple", "APPLE pie"}),
    ({"text__endswith": "PIE"}, set()),
    ({"text__iendswith": "PIE"}, {"APPLE pie"}),
    ({"text__endswith": "g "}, {"trailing "}),
    ({"text__endswith": "g"}, {"trailing"}),
    # in, comparisons and range on text: code point order
    ({"text__in": ["apple", "APPLE pie", "nope"]}, {"apple", "APPLE pie"}),
    ({"text__in": ["APPLE"]}, set()),
    ({"text__in": []}, set()),
    ({"text__gt": "x"}, {"x'y", "ünïcode Ä"}),
    ({"text__gte": "x'y"}, {"x'y", "ünïcode Ä"}),
    ({"text__lt": "B"}, {"Apple", "APPLE pie", "50% off", "50 off"}),
    ({"text__lte": "50 off"}, {"50 off"}),
    ({"text__range": ("a", "b")}, {"apple", "a_b", "axb"}),
    # NULL
    ({"text__isnull": True}, {None}),
    ({"text": None}, {None}),
]


@pytest.mark.parametrize(("lookup", "expected"), CASES, ids=[repr(c[0]) for c in CASES])
async def test_lookup_matches_the_same_rows_on_every_backend(
    words: Database, lookup: dict[str, Any], expected: set[str | None]
) -> None:
    assert await matching(**lookup) == expected


async def test_case_insensitive_lookups_fold_non_ascii_except_on_sqlite(
    words: Database, vendor: str
) -> None:
    # The one documented difference: SQLite's LOWER() folds ASCII letters only.
    expected = set() if vendor == "sqlite" else {"ünïcode Ä"}
    assert await matching(text__icontains="ä") == expected
    assert await matching(text__iexact="ÜNÏCODE ä") == expected


async def test_isnull_false_and_numbers(words: Database) -> None:
    assert len(await matching(text__isnull=False)) == len(TEXTS) - 1
    numbers = Word.objects.values_list("n", flat=True).order_by("n")
    assert await numbers.filter(n__gt=11) == [12, 13]
    assert await numbers.filter(n__gte=12) == [12, 13]
    assert await numbers.filter(n__lt=2) == [0, 1]
    assert await numbers.filter(n__lte=1) == [0, 1]
    assert await numbers.filter(n__range=(3, 5)) == [3, 4, 5]
    assert await numbers.filter(n__in=[1, 3, 99]) == [1, 3]
    assert await numbers.filter(n=7) == [7]


async def test_exclude_keeps_rows_where_the_column_is_null(words: Database) -> None:
    remaining = set(await Word.objects.exclude(text="apple").values_list("text", flat=True))
    assert None in remaining
    assert "apple" not in remaining
    assert len(remaining) == len(TEXTS) - 1
    assert await Word.objects.exclude(text__contains="a").filter(text__isnull=True).count() == 1


async def test_q_objects_combine(words: Database) -> None:
    found = set(
        await Word.objects.filter(Q(text="apple") | Q(text="banana"), ~Q(n=0)).values_list(
            "text", flat=True
        )
    )
    assert found == {"apple", "banana"}
    none = await Word.objects.filter(Q(text="apple") & Q(text="banana")).count()
    assert none == 0


NASTY = [
    "it's",
    'say "hi"',
    "back\\slash\\\\ and \\n",
    "100%",
    "%s %d %(name)s %%",
    "? ?? $1 :name",
    "emoji 🎉 and 👩‍👩‍👧 family",
    "Robert'); DROP TABLE notes;--",
    "SELECT * FROM notes WHERE 1=1",
    "tab\tnew\nline\rreturn",
    "ünïcödé ß Ω 中文",
    "\u202eright-to-left",
    "",
    " ",
    "NULL",
]


@pytest.mark.parametrize("text", NASTY, ids=range(len(NASTY)))
async def test_nasty_strings_round_trip_and_match_themselves(database: Database, text: str) -> None:
    await create_tables(database, Note)
    note = await Note.objects.create(body=text, data=text.encode())
    await Note.objects.create(body="other")
    loaded = await Note.objects.get(pk=note.pk)
    assert loaded.body == text
    assert loaded.data == text.encode()
    assert await Note.objects.filter(body=text).count() == 1
    assert await Note.objects.filter(data=text.encode()).count() == 1
    if text:
        assert await Note.objects.filter(body__contains=text).count() == 1
        assert await Note.objects.filter(body__startswith=text).count() == 1
        assert await Note.objects.filter(body__iendswith=text).count() == 1
    assert await Note.objects.count() == 2


async def test_every_byte_value_round_trips(database: Database) -> None:
    await create_tables(database, Note)
    blob = bytes(range(256)) * 4
    note = await Note.objects.create(body="bytes", data=blob)
    assert (await Note.objects.get(pk=note.pk)).data == blob
    assert await Note.objects.filter(data__in=[blob, b"x"]).count() == 1


async def test_names_carrying_sql_are_refused_and_nothing_runs(words: Database) -> None:
    with pytest.raises(FieldError) as caught:
        Word.objects.filter(**{"name; DROP TABLE words--": 1})
    message = str(caught.value)
    assert "Word" in message
    assert "'name; DROP TABLE words--'" in message
    assert "choices are: pk, id, text, n" in message
    with pytest.raises(FieldError, match="unsupported lookup 'contains; DROP TABLE words'"):
        Word.objects.filter(**{"text__contains; DROP TABLE words": "x"})
    with pytest.raises(FieldError, match="has no field"):
        Word.objects.order_by("text; DROP TABLE words")
    with pytest.raises(FieldError, match="has no field"):
        Word.objects.values("text FROM words; --")
    with pytest.raises(FieldError, match="has no field"):
        await Word.objects.filter(n=1).update(**{"n = 0; --": 1})
    with pytest.raises(FieldError, match="invalid annotation name"):
        Word.objects.annotate(**{'x" FROM words; --': Q()})  # type: ignore[arg-type]
    assert await Word.objects.count() == len(TEXTS)


async def test_unknown_lookup_names_the_valid_ones(words: Database) -> None:
    with pytest.raises(FieldError) as caught:
        Word.objects.filter(n__contains=1)
    assert str(caught.value) == (
        "Word: unsupported lookup 'contains' on IntegerField Word.n; choices are: "
        "exact, gt, gte, in, isnull, lt, lte, range"
    )
    with pytest.raises(FieldError, match=r"unsupported lookup 'year__gt' on CharField Word\.text"):
        Word.objects.filter(text__year__gt=1)


def test_lookup_values_are_checked_by_the_field() -> None:
    with pytest.raises(ValidationError, match=r"Word\.n: expected an integer, got 'ten'"):
        Word.objects.filter(n__gt="ten")
    with pytest.raises(FieldError, match="use isnull=True"):
        Word.objects.filter(n__gt=None)
    with pytest.raises(FieldError, match="takes a list"):
        Word.objects.filter(n__in=5)
    with pytest.raises(FieldError, match="takes a list"):
        Word.objects.filter(text__in="abc")
    with pytest.raises(FieldError, match=r"takes \(low, high\), got 3 items"):
        Word.objects.filter(n__range=(1, 2, 3))
    with pytest.raises(FieldError, match=r"takes \(low, high\)"):
        Word.objects.filter(n__range=5)
    with pytest.raises(FieldError, match="True or False"):
        Word.objects.filter(n__isnull="yes")
    with pytest.raises(FieldError, match="takes a string"):
        Word.objects.filter(text__contains=F("text"))


# --- whole numbers past a column's range: no row holds them, so they are no error ---------


class Counter(Model):
    __tablename__ = "counters"

    name = CharField(max_length=10)
    small = IntegerField(null=True)
    big = BigIntegerField(null=True)


INT_MAX, BIG_MAX = 2**31 - 1, 2**63 - 1
COUNTERS = [
    ("one", 1, 1),
    ("minus", -5, 2**62),
    ("none", None, None),
    ("top", INT_MAX, BIG_MAX),
    ("bottom", -INT_MAX - 1, -BIG_MAX - 1),
]
WITH_VALUES = {"one", "minus", "top", "bottom"}
HUGE = 10**23

OUT_OF_RANGE_CASES = [
    # exact and in: nothing (the in list keeps its other values)
    ({"small": HUGE}, set()),
    ({"small": INT_MAX + 1}, set()),
    ({"small": -HUGE}, set()),
    ({"small": str(HUGE)}, set()),
    ({"small": float(HUGE)}, set()),
    ({"small": "9" * 5000}, set()),  # more digits than int() reads
    ({"small__lt": " -" + "9" * 5000}, set()),
    ({"big__lt": "+" + "9" * 5000}, WITH_VALUES),
    ({"small__in": [1, HUGE, -HUGE]}, {"one"}),
    ({"small__in": [HUGE]}, set()),
    # past the top: gt/gte nothing, lt/lte every row with a value
    ({"small__gt": HUGE}, set()),
    ({"small__gte": INT_MAX + 1}, set()),
    ({"small__lt": HUGE}, WITH_VALUES),
    ({"small__lte": INT_MAX + 1}, WITH_VALUES),
    # past the bottom, the other way round
    ({"small__gt": -HUGE}, WITH_VALUES),
    ({"small__gte": -INT_MAX - 2}, WITH_VALUES),
    ({"small__lt": -HUGE}, set()),
    ({"small__lte": -INT_MAX - 2}, set()),
    # range: an outside bound is the field's own
    ({"small__range": (-HUGE, HUGE)}, WITH_VALUES),
    ({"small__range": (0, HUGE)}, {"one", "top"}),
    ({"small__range": (-HUGE, -5)}, {"minus", "bottom"}),
    ({"small__range": (HUGE, 10**30)}, set()),
    ({"small__range": (-(10**30), -HUGE)}, set()),
    ({"small__range": (HUGE, -HUGE)}, set()),
    # BigIntegerField: its range is 64 bits, so 2**31 is an ordinary value
    ({"big__gt": INT_MAX + 1}, {"minus", "top"}),
    ({"big": BIG_MAX + 1}, set()),
    ({"big__lt": BIG_MAX + 1}, WITH_VALUES),
    ({"big__gt": -BIG_MAX - 2}, WITH_VALUES),
    ({"big__in": [BIG_MAX, BIG_MAX + 1]}, {"top"}),
    # the key (an AutoField: 32 bits)
    ({"id": HUGE}, set()),
    ({"pk__in": [HUGE, -HUGE]}, set()),
    ({"pk__lt": HUGE}, {name for name, _, _ in COUNTERS}),
]


@pytest.fixture
async def counters(database: Database) -> AsyncIterator[Database]:
    await create_tables(database, Counter)
    await Counter.objects.bulk_create(
        [Counter(name=name, small=small, big=big) for name, small, big in COUNTERS]
    )
    return database


@pytest.mark.parametrize(
    ("lookup", "expected"), OUT_OF_RANGE_CASES, ids=[repr(c[0]) for c in OUT_OF_RANGE_CASES]
)
async def test_a_number_past_the_columns_range_is_compared_not_refused(
    counters: Database, lookup: dict[str, Any], expected: set[str]
) -> None:
    names = await Counter.objects.filter(**lookup).values_list("name", flat=True)
    assert set(names) == expected


async def test_get_of_a_key_past_its_range_is_does_not_exist(counters: Database) -> None:
    with pytest.raises(Counter.DoesNotExist):
        await Counter.objects.get(pk=HUGE)
    with pytest.raises(Counter.DoesNotExist):
        await Counter.objects.get(pk=-HUGE)
    assert await Counter.objects.filter(id=HUGE).count() == 0
    assert await Counter.objects.filter(small__lt=HUGE).exists()


async def test_exclude_of_a_number_past_the_range(counters: Database) -> None:
    # NOT (no row) is every row, NULLs included; NOT (every row with a value) is the NULLs.
    excluded = await Counter.objects.exclude(small=HUGE).values_list("name", flat=True)
    assert set(excluded) == {name for name, _, _ in COUNTERS}
    excluded = await Counter.objects.exclude(small__lt=HUGE).values_list("name", flat=True)
    assert excluded == ["none"]


async def test_saving_a_number_past_the_range_is_still_refused(counters: Database) -> None:
    message = f"Counter.small: {HUGE} is out of range [{-INT_MAX - 1}, {INT_MAX}]"
    with pytest.raises(ValidationError) as caught:
        await Counter.objects.create(name="x", small=HUGE)
    assert caught.value.errors == {"small": [message]}
    with pytest.raises(ValidationError, match="out of range"):
        await Counter.objects.filter(name="one").update(small=-HUGE)
    with pytest.raises(OutOfRangeError) as out_of_range:
        Counter._meta.get_field("small").clean(HUGE)
    assert str(out_of_range.value) == message
    assert (out_of_range.value.limit, out_of_range.value.above) == (INT_MAX, True)
    # The message says how large a long number is, not every digit.
    with pytest.raises(OutOfRangeError) as out_of_range:
        Counter._meta.get_field("big").clean("-" + "9" * 5000)
    assert str(out_of_range.value) == (
        f"Counter.big: a 5000-digit number is out of range [{-BIG_MAX - 1}, {BIG_MAX}]"
    )
    assert (out_of_range.value.limit, out_of_range.value.above) == (-BIG_MAX - 1, False)
    with pytest.raises(OutOfRangeError, match="a 401-digit number is out of range"):
        Counter._meta.get_field("big").clean(-(10**400))
    with pytest.raises(ValidationError, match="expected an integer, got '12x'"):
        Counter._meta.get_field("big").clean("12x")


def test_an_expression_past_its_fields_range_is_still_an_error() -> None:
    # A sum can exceed the range of the column it adds up: no shortcut is safe there.
    with pytest.raises(ValidationError, match="out of range"):
        Counter.objects.annotate(total=Sum("small")).filter(total__gt=HUGE)
    with pytest.raises(ValidationError, match="out of range"):
        Counter.objects.annotate(more=F("small") + 1).filter(more__in=[HUGE])
    with pytest.raises(ValidationError, match="out of range"):
        Counter.objects.annotate(more=F("small") + 1).filter(more__range=(0, HUGE))


# --- in with many values: one array (PostgreSQL), one JSON text (SQLite), or placeholders ---


async def test_in_takes_seventy_thousand_values(words: Database, vendor: str) -> None:
    # On SQLite 300,000: past its parameter limit even in builds that raise it to 250,000.
    # PyMySQL writes the values into the statement, so MySQL meets no parameter limit.
    half = 150_000 if vendor == "sqlite" else 35_000
    numbers = list(range(-half, half))
    assert await Word.objects.filter(n__in=numbers).count() == len(TEXTS)
    assert await Word.objects.exclude(n__in=numbers).count() == 0
    texts = [f"word {i}" for i in range(70_000)]
    assert await matching(text__in=[*texts, "apple", "APPLE pie"]) == {"apple", "APPLE pie"}
    assert await matching(text__in=[*texts, "APPLE"]) == set()
    assert await Word.objects.filter(n__in=numbers, text__in=[*texts, "axb"]).count() == 1
