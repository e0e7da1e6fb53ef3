"""snapshot.diff's fast path: brief_ids parsed as 64-bit integers, matched by sorting, exactly as the strings."""

from __future__ import annotations

import hashlib
import random

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from kei_crawler.storage.snapshot.diff import detect
from kei_crawler.storage.snapshot.keys import _sort, hex_keys, index_in
from kei_crawler.storage.snapshot.reading import DETECT_COLUMNS

HEX = "0123456789abcdef"


def hex_id(n: int) -> str:
    return hashlib.sha256(str(n).encode()).hexdigest()[:16]


@pytest.mark.parametrize(
    "text",
    [
        "0000000000000000",
        "ffffffffffffffff",
        "0123456789abcdef",
        "fedcba9876543210",
        "8000000000000000",
        "7fffffffffffffff",
        "000000000000000a",
        "a000000000000000",
        "0000000f00000000",
        "9999999999999999",
        "aaaaaaaaaaaaaaaa",
        "deadbeefcafebabe",
    ],
)
def test_each_id_parses_to_the_integer_its_digits_spell(text: str) -> None:
    keys = hex_keys(pa.array([text, "0000000000000001", text]))
    assert keys is not None and keys.dtype == np.uint64
    assert keys.tolist() == [int(text, 16), 1, int(text, 16)]


def test_many_ids_parse_exactly() -> None:
    texts = [hex_id(n) for n in range(20_000)] + [f"{n:016x}" for n in range(0, 2**64, 2**50)]
    keys = hex_keys(pa.array(texts))
    assert keys is not None
    assert keys.tolist() == [int(t, 16) for t in texts]


def test_every_non_digit_byte_in_every_place_is_refused() -> None:
    """Each of the 234 bytes that is not a lowercase hex digit, at each of the 16 places: no key."""
    base = "0123456789abcdef"
    for place in range(16):
        for byte in range(256):
            if chr(byte) in HEX:
                continue
            data = bytearray(base.encode())
            data[place] = byte
            array = pa.Array.from_buffers(
                pa.binary(),
                2,
                [None, pa.py_buffer(np.array([0, 16, 32], np.int32)), pa.py_buffer(bytes(data) * 2)],
            ).cast(pa.string(), safe=False)
            assert hex_keys(array) is None, (place, byte)


@pytest.mark.parametrize(
    "texts",
    [
        ["0123456789ABCDEF"],  # upper case
        ["0123456789abcde"],  # 15 digits
        ["0123456789abcdef0"],  # 17
        ["0123456789abcde", "0123456789abcdef0"],  # 15 + 17: the total length alone would pass
        ["0123456789abcdeé"],  # 16 bytes, one character not ASCII
        ["0123456789abcdef", None],
        ["https://keia.org/"],
        [""],
    ],
)
def test_anything_but_sixteen_lowercase_hex_digits_gives_no_keys(texts: list[str | None]) -> None:
    assert hex_keys(pa.array(texts)) is None


def test_slices_large_strings_and_empty_arrays() -> None:
    texts = [hex_id(n) for n in range(100)]
    keys = hex_keys(pa.array(texts).slice(37, 20))
    assert keys is not None and keys.tolist() == [int(t, 16) for t in texts[37:57]]
    keys = hex_keys(pa.array(texts, pa.large_string()).slice(5, 3))
    assert keys is not None and keys.tolist() == [int(t, 16) for t in texts[5:8]]
    assert hex_keys(pa.array(["x" * 20, *texts]).slice(1)) is not None  # data starts mid-buffer
    empty = hex_keys(pa.array([], pa.string()))
    assert empty is not None and len(empty) == 0
    assert hex_keys(pa.array([1, 2])) is None


def test_sort_is_argsort_even_when_keys_share_their_top_bits() -> None:
    rng = np.random.default_rng(7)
    for keys in (
        rng.integers(0, 2**63, 5_000, dtype=np.uint64) * np.uint64(2),
        rng.integers(0, 50, 5_000, dtype=np.uint64),  # all alike above the low bits: the checked fallback
        np.array([5, 3, 1, 2], dtype=np.uint64),
        np.array([7], dtype=np.uint64),
        np.array([], dtype=np.uint64),
        np.array([2**64 - 1, 0, 2**63], dtype=np.uint64),
    ):
        order, in_order = _sort(keys)
        assert order.tolist() == np.argsort(keys, kind="stable").tolist()
        assert in_order.tolist() == sorted(keys.tolist())


@pytest.mark.parametrize("case", ["hex", "duplicates", "not hex", "empty set", "empty ids"])
def test_index_in_answers_as_arrow_does(case: str) -> None:
    rnd = random.Random(case)
    pool = [hex_id(n) for n in range(3_000)]
    value_set, ids = rnd.sample(pool, 2_000), rnd.sample(pool, 1_500)
    if case == "duplicates":
        value_set += value_set[:10]
        rnd.shuffle(value_set)
    if case == "not hex":
        value_set[17] = value_set[17].upper()
    if case == "empty set":
        value_set = []
    if case == "empty ids":
        ids = []
    expected = pc.index_in(pa.array(ids, pa.string()), value_set=pa.array(value_set, pa.string()))
    got = index_in(pa.array(ids, pa.string()), pa.array(value_set, pa.string()))
    assert got.type == pa.int32()
    assert got.to_pylist() == expected.to_pylist()


def keys_table(rows: list[tuple[str, str, int | None]]) -> pa.Table:
    ids, hashes, removed = zip(*rows, strict=True) if rows else ((), (), ())
    return pa.table(
        [
            pa.array(ids, pa.string()),
            pa.array(hashes, pa.string()),
            pa.array(removed, pa.timestamp("us", "UTC")),
        ],
        names=list(DETECT_COLUMNS),
    )


def test_detect_finds_the_same_changes_with_hex_ids_as_without() -> None:
    """The same two snapshots, once with hex ids (fast path) and once upper-cased (Arrow's strings)."""
    rnd = random.Random(5)
    old_rows: list[tuple[str, str, int | None]] = [(hex_id(n), f"h{n}", None) for n in range(4_000)]
    old_rows[3] = (old_rows[3][0], "h3", 1)  # removed already
    new_rows: list[tuple[str, str, int | None]] = []
    for n, (brief, digest, removed) in enumerate(old_rows):
        fate = rnd.random()
        if fate < 0.05:
            continue  # gone
        if fate < 0.08:
            new_rows.append((brief, digest + "-edited", removed))
        elif fate < 0.10:
            new_rows.append((brief, digest, 2))  # newly 404
        elif fate < 0.12:
            new_rows.append((hex_id(n + 100_000), digest, None))  # moved
        else:
            new_rows.append((brief, digest, removed))
    new_rows += [(hex_id(n), f"h{n}", None) for n in range(200_000, 200_150)]  # added
    rnd.shuffle(new_rows)
    fast = detect(keys_table(old_rows), keys_table(new_rows))
    slow = detect(
        keys_table([(b.upper(), h, r) for b, h, r in old_rows]),
        keys_table([(b.upper(), h, r) for b, h, r in new_rows]),
    )
    assert fast.counts == slow.counts
    assert all(count > 0 for count in fast.counts.values())
    for name in ("added", "removed", "removed_at", "changed_old", "changed_new", "moved_old", "moved_new"):
        assert getattr(fast, name).to_pylist() == getattr(slow, name).to_pylist(), name
