"""Changing a frame without copying it whole: Arrow out column by column, rows set,
dropped and appended along the frame's own chunks.

A close touches a few rows of a large book each night. Keeping every
column's chunk boundaries lets a step replace one column, or cut a few rows
out, while the others still point at the buffers they were read from. Kept
apart from the book's frames (``frames.py``) because these helpers work on
any frame and know nothing of accounts.

>>> f = pl.DataFrame({"x": [1, 2, 3]})
>>> append_rows(f, pl.DataFrame({"x": [4]})).get_column("x").to_list()
[1, 2, 3, 4]
"""

from __future__ import annotations

import polars as pl
import pyarrow as pa

__all__ = ["MAX_RUNS", "append_rows", "arrow_of", "drop_rows", "like_chunks", "set_rows"]


def arrow_of(frame: pl.DataFrame, schema: pa.Schema) -> pa.Table:
    """The frame's columns of ``schema``, as an Arrow table of exactly those types.

    Column by column and chunk by chunk, so that a column the close did not
    change still points at the buffers it was read from: polars' own
    ``to_arrow`` first cuts every column to one chunk layout, copying them all.
    """
    return pa.Table.from_arrays(
        [_arrow_column(frame.get_column(f.name), f.type) for f in schema], schema=schema
    )


def _arrow_column(series: pl.Series, kind: pa.DataType) -> pa.ChunkedArray:
    pieces, start = [], 0
    for length in series.chunk_lengths():
        piece = series.slice(start, length).to_arrow(compat_level=pl.CompatLevel.newest())
        pieces.append(piece if piece.type == kind else piece.cast(kind))
        start += length
    return pa.chunked_array(pieces, type=kind)


def like_chunks(values: pl.Series, like: pl.Series) -> pl.Series:
    """``values`` cut into the chunks of ``like``: a frame whose columns share chunk
    boundaries need not be copied whole to add a column to it."""
    lengths = like.chunk_lengths()
    if len(lengths) < 2:
        return values
    pieces, start = [], 0
    for length in lengths:
        pieces.append(values.slice(start, length))
        start += length
    out = pieces[0].clone()
    for piece in pieces[1:]:
        out.append(piece)
    return out


def set_rows(frame: pl.DataFrame, at: pl.Series, **values: pl.Series) -> pl.DataFrame:
    """``frame`` with the rows at positions ``at`` given new values in the named columns.

    A column is copied to be changed, so a column whose rows at ``at``
    already hold the new values is left as it is: most nights touch a few
    rows, and most of what a step could write there is what is there.

    >>> f = pl.DataFrame({"x": [1, 2, 3], "y": [4, 5, 6]})
    >>> set_rows(f, pl.Series([1]), x=pl.Series([9]), y=pl.Series([5])).rows()
    [(1, 4), (9, 5), (3, 6)]
    """
    if not at.len():
        return frame
    changed = []
    for name, new in values.items():
        old = frame.get_column(name)
        new = new.cast(old.dtype)
        if not old.gather(at).ne_missing(new).any():
            continue
        column = old.clone()
        column.scatter(at, new)
        changed.append(like_chunks(column, old))
    return frame.with_columns(changed) if changed else frame


#: Above this many runs of dropped rows a frame is filtered (copied) rather than cut.
MAX_RUNS = 1024


def drop_rows(frame: pl.DataFrame, at: pl.Series) -> pl.DataFrame:
    """``frame`` without the rows at positions ``at`` (ascending).

    The rows dropped by a close (a charged-off loan's schedule) lie in a few
    runs, and the rows between them are kept as slices, not copied.

    >>> f = pl.DataFrame({"x": range(6)})
    >>> drop_rows(f, pl.Series([1, 2, 5])).get_column("x").to_list()
    [0, 3, 4]
    """
    if not at.len():
        return frame
    starts = at.filter(at.diff().fill_null(2) != 1).to_list()
    ends = at.filter(at.shift(-1).fill_null(-1) != at + 1).to_list()  # last of each run
    if len(starts) > MAX_RUNS:
        keep = pl.repeat(True, frame.height, eager=True)
        keep.scatter(at, False)
        return frame.filter(keep)
    pieces, begin = [], 0
    for start, end in zip(starts, ends, strict=True):
        if start > begin:
            pieces.append(frame.slice(begin, start - begin))
        begin = end + 1
    if begin < frame.height:
        pieces.append(frame.slice(begin))
    return pl.concat(pieces) if pieces else frame.clear()


def append_rows(frame: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """``rows`` added at the end of ``frame`` as one chunk, so that every column
    keeps the same chunk boundaries and nothing of ``frame`` is copied."""
    if not rows.height:
        return frame
    return pl.concat([frame, rows.select(frame.columns).rechunk()])
