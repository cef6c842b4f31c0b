"""Reading users' CSV and Parquet files, and writing output in one step."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from arrears.adapters.tabular import read_table, write_csv, write_text
from arrears.kernel.errors import InvalidInput


def test_csv_keeps_types_order_and_missing(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("id,age,city,note\n7,31,a,\n8,,b,x\n9,45,,y\n")
    frame = read_table(path)
    assert frame["id"].tolist() == [7, 8, 9]
    assert frame["age"].dtype.kind == "f" and pd.isna(frame["age"][1])
    assert frame["city"].tolist()[:2] == ["a", "b"] and pd.isna(frame["city"][2])
    assert pd.isna(frame["note"][0])


def test_a_numeric_column_with_text_reads_as_text(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("age\n31\nabc\n")
    assert read_table(path)["age"].tolist() == ["31", "abc"]


def test_parquet(tmp_path: Path) -> None:
    path = tmp_path / "d.parquet"
    pq.write_table(pa.table({"a": [1, 2], "b": ["x", None]}), path)
    frame = read_table(path)
    assert frame["a"].tolist() == [1, 2] and frame["b"].tolist() == ["x", None]


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("d.xlsx", b"x", "neither .csv nor .parquet"),
        ("absent.csv", None, "does not exist"),
        ("d.parquet", b"not parquet at all", "cannot be read"),
        ("d.csv", b"a,b\n1,2,3\n", "cannot be read: CSV parse error"),
        ("d.csv", b"", "cannot be read"),
    ],
)
def test_unusable_files_are_refused_with_the_path(
    tmp_path: Path, name: str, content: bytes | None, words: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InvalidInput, match=words) as caught:
        read_table(path)
    assert name in str(caught.value)


def test_write_csv_replaces_in_one_step(tmp_path: Path) -> None:
    path = tmp_path / "out" / "s.csv"
    write_csv(pd.DataFrame({"id": [2, 1], "score": [600.5, 512.25]}), path)
    assert path.read_text() == "id,score\n2,600.5\n1,512.25\n"
    write_text("hello\n", tmp_path / "t.txt")
    assert (tmp_path / "t.txt").read_text() == "hello\n"
    assert sorted(p.name for p in path.parent.iterdir()) == ["s.csv"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("old\n")

    class Broken(pd.DataFrame):
        def to_csv(self, *args: object, **kwargs: object) -> None:  # type: ignore[override]
            Path(str(args[0])).write_text("half")
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_csv(Broken({"a": [1]}), path)
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["s.csv"]
