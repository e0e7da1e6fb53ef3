"""Matching two snapshots' brief_ids fast: 16-hex-digit ids as 64-bit integers, sorted and searched.

Arrays and scalars are built from buffers here, not with pa.array or pa.scalar: given Python or numpy
values those import pandas (when installed) to inspect them, which costs detection a third of a second.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

FALSE = pa.Array.from_buffers(pa.bool_(), 1, [None, pa.py_buffer(bytes(1))])[0]
HEX_KEY_LENGTH = 16
_LOW_NIBBLES = np.uint64(0x0F0F0F0F0F0F0F0F)
_ONES = np.uint64(0x0101010101010101)


def hex_keys(ids: pa.Array) -> np.ndarray | None:
    """Each id as the ``uint64`` its 16 lowercase hex digits spell (``int(id, 16)``, exactly), or None
    unless every id is exactly 16 lowercase hex digits (and none is null).

    Eight characters at a time as one 64-bit word: each byte's digit value is its low nibble, plus 9 for
    the letters (bit 6 set). Those values are spelt back into lowercase hex and compared with the words
    read: only a valid digit spells itself again, so one comparison checks every character."""
    if pa.types.is_string(ids.type):
        offset_type: np.dtype[np.signedinteger] = np.dtype(np.int32)
    elif pa.types.is_large_string(ids.type):
        offset_type = np.dtype(np.int64)
    else:
        return None
    n = len(ids)
    if ids.null_count:
        return None
    if n == 0:
        return np.empty(0, dtype=np.uint64)
    _, offsets_buffer, data_buffer = ids.buffers()
    offsets = np.frombuffer(
        offsets_buffer, dtype=offset_type, count=n + 1, offset=ids.offset * offset_type.itemsize
    )
    if np.any(np.diff(offsets) != HEX_KEY_LENGTH):
        return None
    text = np.frombuffer(data_buffer, dtype=np.uint8, count=HEX_KEY_LENGTH * n, offset=int(offsets[0]))
    words = text.view(np.uint64)  # two words per id; numpy copes with any alignment
    # In place, two scratch arrays: each byte stays below 128, so no carry crosses into its neighbour.
    nibbles = words >> np.uint64(6)
    nibbles &= _ONES
    nibbles *= np.uint64(9)
    nibbles += words & _LOW_NIBBLES
    nibbles &= _LOW_NIBBLES  # each byte: its digit's value, if it was a digit
    spelt = nibbles + np.uint64(0x0606060606060606)
    spelt >>= np.uint64(4)
    spelt &= _ONES  # each byte: 1 where the value is 10 or more (a letter)
    spelt *= np.uint64(ord("a") - ord("0") - 10)
    spelt += np.uint64(0x3030303030303030)
    spelt += nibbles
    if not np.array_equal(spelt, words):
        return None
    digits = nibbles.view(np.uint8).reshape(n, HEX_KEY_LENGTH)  # one digit per byte, first digit first
    octets = (digits[:, 0::2] << np.uint8(4)) | digits[:, 1::2]
    return octets.view(">u8").ravel().astype(np.uint64)


def index_in(ids: pa.Array, value_set: pa.Array) -> pa.Array:
    """Each id's position in ``value_set`` (int32, null where absent): ``pc.index_in``'s answer.

    With hex ids (:func:`hex_keys`) and no duplicate in ``value_set``, both sides are sorted as integers
    and matched with a binary search of the sorted ids in the sorted set, several times faster than hashing
    strings; otherwise ``pc.index_in`` itself."""
    with ThreadPoolExecutor(max_workers=2) as pool:  # numpy lets go of the GIL on whole arrays
        both = list(pool.map(_sorted_hex_keys, (ids, value_set)))
    if both[0] is None or both[1] is None:
        return pc.index_in(ids, value_set=value_set)
    (order, sorted_keys), (set_order, set_sorted) = both[0], both[1]
    if np.any(set_sorted[1:] == set_sorted[:-1]):  # duplicates: leave "first occurrence" to Arrow
        return pc.index_in(ids, value_set=value_set)
    if len(set_sorted) == 0:
        return pa.nulls(len(ids), pa.int32())
    at = np.minimum(np.searchsorted(set_sorted, sorted_keys), len(set_sorted) - 1)
    positions = np.empty(len(ids), dtype=np.int32)
    positions[order] = set_order[at]
    found = np.empty(len(ids), dtype=bool)
    found[order] = set_sorted[at] == sorted_keys
    missing = len(found) - int(np.count_nonzero(found))
    return pa.Array.from_buffers(
        pa.int32(), len(positions), [bits(found), pa.py_buffer(positions)], null_count=missing
    )


def _sorted_hex_keys(ids: pa.Array) -> tuple[np.ndarray, np.ndarray] | None:
    keys = hex_keys(ids)
    return None if keys is None else _sort(keys)


def _sort(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The order that sorts ``keys`` (stably) and the keys in that order.

    ``np.sort`` is several times faster than ``np.argsort``, so each key's top bits and its position are
    packed into one word and those sorted; the positions then order the keys by their top bits. Keys that
    share their top bits end up in position order: checked, and if that is not sorted order, argsort."""
    bits = max(1, (len(keys) - 1).bit_length())
    low = np.uint64((1 << bits) - 1)
    packed = keys & ~low
    packed |= np.arange(len(keys), dtype=np.uint64)
    packed.sort()
    packed &= low
    order = packed.astype(np.intp)
    in_order = keys[order]
    if np.any(in_order[1:] < in_order[:-1]):
        order = np.argsort(keys, kind="stable")
        in_order = keys[order]
    return order, in_order


def flat(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    if not isinstance(column, pa.ChunkedArray):
        return column
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()  # one chunk: no copy


def int32s(array: pa.Array) -> np.ndarray:
    """An int32 Arrow array without nulls as a numpy view (``to_numpy`` would import pandas)."""
    assert array.type == pa.int32() and array.null_count == 0
    return np.frombuffer(array.buffers()[1], dtype=np.int32, count=len(array), offset=array.offset * 4)


def bits(mask: np.ndarray) -> pa.Buffer:
    return pa.py_buffer(np.packbits(mask, bitorder="little"))


def bool_array(mask: np.ndarray) -> pa.Array:
    """A numpy bool array as an Arrow one (``pa.array`` would import pandas to inspect it)."""
    return pa.Array.from_buffers(pa.bool_(), len(mask), [None, bits(mask)])


def arange(n: int) -> pa.Array:
    return pa.Array.from_buffers(pa.int64(), n, [None, pa.py_buffer(np.arange(n, dtype=np.int64))])
