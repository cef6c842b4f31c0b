"""Tables in files: a CSV or Parquet file in as a pandas frame, a CSV or text file out atomically.

Risk teams bring their own data. pyarrow reads it (fast, and typed: a
column of numbers stays numeric, a column with text in it becomes text, so
the scorecard can name a column of the wrong type). A missing file, an
extension other than .csv or .parquet, or a file that cannot be parsed is
refused with the path and what to do. Output goes to a temporary file in
the same folder and is renamed into place, so a failed run leaves no half
file behind.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from arrears.kernel.errors import InvalidInput

__all__ = ["SUFFIXES", "read_table", "write_csv", "write_text"]

SUFFIXES = (".csv", ".parquet")


def read_table(path: Path | str) -> pd.DataFrame:
    """The file's rows in order as a frame; missing values are NaN/None."""
    where = Path(path)
    suffix = where.suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidInput(
            f"{where} is neither .csv nor .parquet", hint="give a .csv or .parquet data file"
        )
    if not where.is_file():
        raise InvalidInput(f"data file {where} does not exist", hint="check the path")
    try:
        table = _read_csv(where) if suffix == ".csv" else pq.read_table(where)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OSError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise InvalidInput(
            f"data file {where} cannot be read: {first}",
            hint=f"give a well-formed {suffix[1:]} file with a header row",
        ) from None
    if table.num_columns == 0:
        raise InvalidInput(
            f"data file {where} has no columns", hint="give a file with a header row"
        )
    return table.to_pandas()


def _read_csv(path: Path) -> pa.Table:
    options = pacsv.ConvertOptions(strings_can_be_null=True)
    return pacsv.read_csv(path, convert_options=options)


def _replace(path: Path, write: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write(Path(temporary))  # type: ignore[operator]
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_csv(frame: pd.DataFrame, path: Path | str) -> None:
    """Write ``frame`` as CSV (header, no index) in one step: the old file or the new one, never half."""
    _replace(Path(path), lambda t: frame.to_csv(t, index=False))


def write_text(text: str, path: Path | str) -> None:
    """Write a text file (UTF-8) in one step."""
    _replace(Path(path), lambda t: t.write_text(text, encoding="utf-8"))
