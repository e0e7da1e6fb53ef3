import dataclasses
import typing
from datetime import UTC, date, datetime

import pyarrow as pa
import pytest

from kei_crawler import items
from kei_crawler.storage.snapshot.schema import BRIEF_SCHEMA, decode_metadata, encode_metadata, to_table

# The Arrow type each Python annotation must map to: the schema and items.Brief cannot drift apart.
ARROW_FOR = {
    str: pa.string(),
    int: pa.int64(),
    date: pa.date32(),
    datetime: pa.timestamp("us", tz="UTC"),
    list[str]: pa.list_(pa.string()),
    dict[str, str]: pa.map_(pa.string(), pa.string()),
}


def test_schema_has_exactly_the_brief_fields() -> None:
    names = [spec.name for spec in dataclasses.fields(items.Brief)]
    assert BRIEF_SCHEMA.names == names == [column.name for column in items.FIELDS]


@pytest.mark.parametrize("fld", dataclasses.fields(items.Brief), ids=lambda f: f.name)
def test_each_column_type_and_nullability_follow_the_annotation(fld: dataclasses.Field) -> None:
    hints = typing.get_type_hints(items.Brief)
    hint = hints[fld.name]
    args = typing.get_args(hint)
    optional = type(None) in args
    base = next(a for a in args if a is not type(None)) if optional and typing.get_origin(hint) else hint
    column = BRIEF_SCHEMA.field(fld.name)
    assert column.type == ARROW_FOR[base]
    # Fields the pipelines always fill are non-null columns, even where the dataclass needs a None default.
    if column.nullable:
        assert optional


def test_to_table_round_trips_a_brief() -> None:
    now = datetime(2026, 11, 29, 4, 35, 12, tzinfo=UTC)
    brief = items.Brief(
        url="https://keia.org/the-peninsula/x/",
        brief_id="0123456789abcdef",
        slug="x",
        title="Café ’s",
        published=date(2022, 7, 24),
        published_raw="Published July 24, 2022",
        authors=["김지윤"],
        body="a\n\nb",
        content_hash="h",
        fetched_at=now,
        first_seen=now,
        last_seen=now,
    )
    table = to_table([brief])
    assert table.schema == BRIEF_SCHEMA
    row = table.to_pylist()[0]
    assert row["published"] == date(2022, 7, 24)
    assert row["fetched_at"] == now
    assert row["authors"] == ["김지윤"]
    assert row["categories"] == []
    assert to_table([]).num_rows == 0


def test_a_brief_missing_a_required_value_cannot_be_written() -> None:
    with pytest.raises((pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError)):
        to_table([items.Brief(url="https://keia.org/the-peninsula/x/")]).validate(full=True)


def test_metadata_round_trip() -> None:
    meta = encode_metadata({"crawl_id": "2026-11-29T043512Z", "counts": {"briefs_written": 3}})
    assert decode_metadata(meta | {b"other": b"x"}) == {
        "crawl_id": "2026-11-29T043512Z",
        "counts": '{"briefs_written": 3}',
    }
