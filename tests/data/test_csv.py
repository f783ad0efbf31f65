"""CSV reading: accepted forms, and every refused form named by file, line and column."""

from __future__ import annotations

import numpy as np
import pytest

from luma_cli.data import load_data_for_model, load_training_data, read_csv
from luma_cli.data.labels import LabelMapping
from luma_cli.errors import DataError


def test_reads_header_and_numeric_columns(write) -> None:
    path = write("a.csv", "x1,x2,label\n1,2.5,0\n-3,4e-1,1\n")
    ds = load_training_data(path)
    assert ds.feature_names == ["x1", "x2"] and ds.label_name == "label"
    np.testing.assert_array_equal(ds.features, [[1.0, 2.5], [-3.0, 0.4]])
    np.testing.assert_array_equal(ds.labels, [0.0, 1.0])


def test_bom_crlf_blank_lines_and_spaces_are_accepted(write) -> None:
    path = write("a.csv", "\ufeffx1, x2 ,y\r\n1, 2 ,a\r\n\r\n3,4,b\r\n".encode())
    ds = load_training_data(path)
    assert ds.feature_names == ["x1", "x2"]
    np.testing.assert_array_equal(ds.features, [[1, 2], [3, 4]])


def test_label_and_features_chosen_by_name(write) -> None:
    path = write("a.csv", "y,a,b,c\n1,1,2,3\n0,4,5,6\n")
    ds = load_training_data(path, label="y", features=["c", "a"])
    np.testing.assert_array_equal(ds.features, [[3, 1], [6, 4]])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"a\.csv: the file is empty"),
        ("x,y\n", r"a\.csv: has a header but no data rows"),
        ("x,y\n1,0\n1,2,0\n", r"a\.csv:3: row has 3 cells, the header has 2"),
        ("x,x,y\n1,2,0\n", r"a\.csv:1: column name 'x' appears twice"),
        ("x,,y\n1,2,0\n", r"a\.csv:1: column 2 has a blank name"),
        ("x,y\n1,0\n,1\n", r"a\.csv:3: column 'x' is empty"),
        ("x,y\n1,0\nnan,1\n", r"a\.csv:3: column 'x' holds 'nan' \(a missing value\)"),
        ("x,y\n1,0\nNA,1\n", r"a\.csv:3: column 'x' holds 'NA'"),
        ("x,y\n1,0\nnull,1\n", r"a\.csv:3: column 'x' holds 'null'"),
        ("x,y\n1,0\ninf,1\n", r"a\.csv:3: column 'x' holds 'inf' \(not finite\)"),
        ("x,y\n1,0\n1e999,1\n", r"a\.csv:3: column 'x' holds '1e999' \(not finite\)"),
        ("x,y\n1,0\n\n2,1\nabc,0\n", r"a\.csv:5: column 'x' holds 'abc', which is not a number"),
        ("x,y\n1,0\n\u0661\u0662,1\n", r"a\.csv:3: column 'x' holds '\u0661\u0662', which is not a plain ASCII number"),
        ("x,y\n1,0\n2,0\n", r"every row has label '0'; training needs both classes"),
        ("x,y\n1,0\n2,1\n3,2\n", r"holds 3 distinct values \['0', '1', '2'\]"),
    ],
)
def test_bad_training_files_name_file_line_and_column(write, text: str, message: str) -> None:
    path = write("a.csv", text)
    with pytest.raises(DataError, match=message):
        load_training_data(path)


def test_missing_file_and_directory(tmp_path) -> None:
    with pytest.raises(DataError, match="file not found"):
        read_csv(tmp_path / "nope.csv")
    with pytest.raises(DataError, match="is a directory"):
        read_csv(tmp_path)


def test_binary_file_is_refused(write) -> None:
    with pytest.raises(DataError, match="not UTF-8|NUL"):
        read_csv(write("a.csv", b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe"))


def test_unknown_label_or_feature_column_suggests(write) -> None:
    path = write("a.csv", "x1,x2,label\n1,2,0\n3,4,1\n")
    with pytest.raises(DataError, match="no column 'lable'.*did you mean 'label'"):
        load_training_data(path, label="lable")
    with pytest.raises(DataError, match="no column 'x3'"):
        load_training_data(path, features=["x3"])
    with pytest.raises(DataError, match="both the label and a feature"):
        load_training_data(path, features=["x1", "label"])


@pytest.mark.parametrize(
    ("values", "negative", "positive"),
    [
        (["0", "1"], "0", "1"),
        (["1", "-1"], "-1", "1"),
        (["B", "M"], "B", "M"),
        (["true", "false"], "false", "true"),
        (["No", "Yes"], "No", "Yes"),
        (["10", "9"], "9", "10"),
        (["cat", "dog"], "cat", "dog"),
    ],
)
def test_label_mapping_rule(write, values, negative, positive) -> None:
    rows = "".join(f"{i},{v}\n" for i, v in enumerate(values * 2))
    ds = load_training_data(write("a.csv", "x,y\n" + rows))
    assert (ds.mapping.negative, ds.mapping.positive) == (negative, positive)
    assert ds.mapping.describe() == f"'{negative}' → 0, '{positive}' → 1"


def test_file_for_a_model_matches_columns_by_name(write) -> None:
    mapping = LabelMapping("0", "1")
    path = write("b.csv", "extra,x2,label,x1\n9,2,1,1\n9,4,0,3\n")
    ds = load_data_for_model(path, ["x1", "x2"], "label", mapping, require_labels=True)
    np.testing.assert_array_equal(ds.features, [[1, 2], [3, 4]])
    np.testing.assert_array_equal(ds.labels, [1, 0])
    assert ds.notes == ["ignored column(s) the model does not use: extra"]


def test_file_for_a_model_lists_missing_columns_and_unknown_labels(write) -> None:
    mapping = LabelMapping("0", "1")
    with pytest.raises(DataError, match="missing column\\(s\\) the model was trained on: x2"):
        load_data_for_model(write("b.csv", "x1,label\n1,0\n"), ["x1", "x2"], "label", mapping, require_labels=True)
    with pytest.raises(DataError, match=r"c\.csv:2: label '7' is not one of the model's labels"):
        load_data_for_model(write("c.csv", "x1,x2,label\n1,2,7\n"), ["x1", "x2"], "label", mapping, require_labels=True)
    ds = load_data_for_model(write("d.csv", "x1,x2\n1,2\n"), ["x1", "x2"], "label", mapping, require_labels=False)
    assert ds.labels is None
