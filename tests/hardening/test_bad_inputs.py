"""Every bad input from issue 4, through the CLI: exit code, file and location on stderr, no traceback,
no debris, and checkpoints left exactly as they were."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.hardening.conftest import (
    ROOT,
    TINY_CONFIG,
    assert_clean_error,
    no_debris,
    npz_bytes,
    rewrite_weights,
    run_cli,
    snapshot,
)

# ---- configs: exit 3 --------------------------------------------------------------------------
CONFIG_CASES = {
    "yaml_syntax": ("data: {train: [}\n", ["c.yaml:1:16", "YAML syntax error"]),
    "unknown_top_key": (TINY_CONFIG + "trainig: {}\n", ["c.yaml:13:1", "did you mean 'training'"]),
    "unknown_nested_key": (TINY_CONFIG.replace("lr: 0.01", "lr: 0.01, betta1: 0.9"), ["c.yaml:11:", "optimizer.betta1", "did you mean 'beta1'"]),
    "unknown_deep_key": (TINY_CONFIG.replace("{units: 4, activation: tanh}", "{units: 4, activaton: tanh}"), ["c.yaml:8:", "model.layers.0.activaton", "'activation'"]),
    "duplicate_key": (TINY_CONFIG + "seed: 1\n", ["c.yaml:13:1", "duplicate key 'seed' (first on line 2)"]),
    "leading_zero": (TINY_CONFIG.replace("seed: 0", "seed: 017"), ["c.yaml:2:7", "'017'"]),
    "sexagesimal": (TINY_CONFIG.replace("name: tiny", "name: 1:30"), ["c.yaml:1:7", "'1:30'"]),
    "yes_word": (TINY_CONFIG.replace("seed: 0", "seed: yes"), ["c.yaml:2:7", "'yes' is ambiguous"]),
    "on_word": (TINY_CONFIG + "debug: {trace_every: on}\n", ["'on' is ambiguous"]),
    "wrong_type": (TINY_CONFIG.replace("epochs: 2", "epochs: two"), ["training.epochs", "valid integer"]),
    "lr_zero": (TINY_CONFIG.replace("lr: 0.01", "lr: 0"), ["optimizer.lr", "greater than 0"]),
    "lr_negative": (TINY_CONFIG.replace("lr: 0.01", "lr: -1e-3"), ["optimizer.lr", "greater than 0"]),
    "epochs_zero": (TINY_CONFIG.replace("epochs: 2", "epochs: 0"), ["training.epochs", "greater than or equal to 1"]),
    "units_zero": (TINY_CONFIG.replace("units: 4", "units: 0"), ["model.layers.0.units", "greater than or equal to 1"]),
    "batch_zero": (TINY_CONFIG.replace("batch_size: 64", "batch_size: 0"), ["training.batch_size", "at least 1"]),
    "split_one": (TINY_CONFIG.replace("validation_split: 0.2", "validation_split: 1.0"), ["data.validation_split", "less than 1"]),
    "split_negative": (TINY_CONFIG.replace("validation_split: 0.2", "validation_split: -0.5"), ["data.validation_split"]),
    "empty_file": ("", ["c.yaml: the config is empty"]),
    "comment_only": ("# nothing\n", ["the config is empty"]),
    "non_mapping": ("[1, 2, 3]\n", ["c.yaml:1:1", "must be a mapping"]),
    "scalar_top": ("just text\n", ["must be a mapping"]),
    "python_tag": ("!!python/object/apply:os.system ['echo pwned']\n", ["c.yaml:1:1", "is not allowed"]),
    "python_tag_nested": (TINY_CONFIG + "x: !!python/name:os.system\n", ["c.yaml:13:", "is not allowed"]),
    "alias_bomb": ("a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n" for p, c in zip("abcdefgh", "bcdefghi")
    ), ["alias bomb"]),
    "deep_nesting": ("a: " + "[" * 3000 + "]" * 3000 + "\n", ["nest"]),
    "multiple_documents": (TINY_CONFIG + "---\nseed: 1\n", ["c.yaml:13:1", "YAML syntax error"]),
    "unknown_activation": (TINY_CONFIG.replace("activation: tanh", "activation: tahn"), ["did you mean 'tanh'"]),
    "unknown_optimizer": (TINY_CONFIG.replace("name: adam", "name: adamm"), ["optimizer.name", "did you mean 'adam'"]),
    "unknown_loss": (TINY_CONFIG.replace("loss: binary_cross_entropy", "loss: cross_entropy"), ["unknown loss 'cross_entropy'"]),
    "not_utf8": (b"\xff\xfe\x00d\x00a", ["not UTF-8"]),
}


@pytest.mark.parametrize("case", sorted(CONFIG_CASES))
def test_config_mistakes_exit_3(case: str, tmp_path: Path) -> None:
    text, fragments = CONFIG_CASES[case]
    config = tmp_path / "c.yaml"
    config.write_bytes(text if isinstance(text, bytes) else text.encode())
    outcome = run_cli(["train", str(config), "--run-dir", str(tmp_path / "run")])
    assert_clean_error(outcome, 3, *fragments)
    assert not (tmp_path / "run").exists() and not no_debris(tmp_path)


def test_config_paths(tmp_path: Path) -> None:
    assert_clean_error(run_cli(["train", str(tmp_path / "absent.yaml")]), 3, "absent.yaml: config file not found")
    assert_clean_error(run_cli(["train", str(tmp_path)]), 3, "is a directory")
    config = tmp_path / "sub" / "c.yaml"
    config.parent.mkdir()
    config.write_text(TINY_CONFIG.replace(str(ROOT / "data/moons_train.csv"), "../data/missing.csv"))
    assert_clean_error(run_cli(["train", str(config)]), 4, f"{tmp_path}/data/missing.csv: file not found", "data.train")


# ---- CSV files: exit 4 --------------------------------------------------------------------------
CSV_CASES = {
    "empty": ("", ["d.csv: the file is empty"]),
    "whitespace_only": ("\n\n  \n", ["the file is empty"]),
    "header_only": ("x1,x2,label\n", ["d.csv: has a header but no data rows"]),
    "ragged_long": ("x1,x2,label\n1,2,0\n1,2,3,1\n", ["d.csv:3: row has 4 cells"]),
    "ragged_short": ("x1,x2,label\n1,2,0\n1,1\n", ["d.csv:3: row has 2 cells"]),
    "duplicate_column": ("x1,x1,label\n1,2,0\n3,4,1\n", ["d.csv:1: column name 'x1' appears twice"]),
    "blank_column": ("x1,,label\n1,2,0\n3,4,1\n", ["d.csv:1: column 2 has a blank name"]),
    "missing_cell": ("x1,x2,label\n1,2,0\n3,,1\n", ["d.csv:3: column 'x2' is empty"]),
    "nan_cell": ("x1,x2,label\n1,2,0\nnan,4,1\n", ["d.csv:3: column 'x1' holds 'nan'"]),
    "NaN_cell": ("x1,x2,label\n1,2,0\nNaN,4,1\n", ["d.csv:3: column 'x1' holds 'NaN'"]),
    "inf_cell": ("x1,x2,label\n1,2,0\n3,-inf,1\n", ["d.csv:3: column 'x2' holds '-inf'"]),
    "NA_cell": ("x1,x2,label\n1,NA,0\n3,4,1\n", ["d.csv:2: column 'x2' holds 'NA'"]),
    "null_cell": ("x1,x2,label\n1,2,0\nnull,4,1\n", ["d.csv:3: column 'x1' holds 'null'"]),
    "text_cell": ("x1,x2,label\n1,2,0\n3,four,1\n", ["d.csv:3: column 'x2' holds 'four'"]),
    "comma_decimal": ('x1,x2,label\n1,2,0\n"3,5",4,1\n', ["d.csv:3: column 'x1' holds '3,5'"]),
    "arabic_digits": ("x1,x2,label\n1,2,0\n\u0663,4,1\n", ["d.csv:3: column 'x1'", "not a plain ASCII number"]),
    "fullwidth_digits": ("x1,x2,label\n1,2,0\n\uff13,4,1\n", ["d.csv:3: column 'x1'"]),
    "three_labels": ("x1,x2,label\n1,2,0\n3,4,1\n5,6,2\n", ["3 distinct values ['0', '1', '2']"]),
    "single_class": ("x1,x2,label\n1,2,1\n3,4,1\n", ["every row has label '1'"]),
    "missing_label": ("x1,x2,label\n1,2,0\n3,4,\n5,6,1\n", ["d.csv:3: label column 'label' is missing a value"]),
    "nan_label": ("x1,x2,label\n1,2,0\n3,4,nan\n5,6,1\n", ["d.csv:3: label column 'label' is missing"]),
    "binary": ("\x00\x01\x02garbage", ["NUL"]),
    "latin1": (b"x1,x2,label\n1,2,0\n3,4,\xe9\n", ["d.csv:3: not UTF-8"]),
    "unterminated_quote": ('x1,x2,label\n1,2,0\n"3,4,1\n', ["d.csv:"]),
}


def _config_for(tmp_path: Path, data: Path, label: str = "label") -> Path:
    config = tmp_path / "c.yaml"
    config.write_text(TINY_CONFIG.replace(str(ROOT / "data/moons_train.csv"), str(data)).replace(
        "  validation_split: 0.2", f"  validation_split: 0.0\n  label: {label}"))
    return config


@pytest.mark.parametrize("case", sorted(CSV_CASES))
def test_bad_training_csv_exit_4(case: str, tmp_path: Path) -> None:
    text, fragments = CSV_CASES[case]
    data = tmp_path / "d.csv"
    data.write_bytes(text if isinstance(text, bytes) else text.encode())
    outcome = run_cli(["train", str(_config_for(tmp_path, data)), "--run-dir", str(tmp_path / "run")])
    assert_clean_error(outcome, 4, *fragments)
    assert not (tmp_path / "run").exists() and not no_debris(tmp_path)


def test_unknown_label_column(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text("x1,x2,label\n1,2,0\n3,4,1\n")
    outcome = run_cli(["train", str(_config_for(tmp_path, data, label="lable")), "--run-dir", str(tmp_path / "run")])
    assert_clean_error(outcome, 4, "no column 'lable'", "did you mean 'label'")


def test_accepted_variants_train(tmp_path: Path) -> None:
    """A BOM, CRLF endings, blank lines, spaces and a constant column are all fine."""
    rows = "".join(f"{i * 0.1:.1f} , {(-1) ** i * 0.5} ,7,{'yes' if i % 2 else 'no'}\r\n" for i in range(40))
    data = tmp_path / "d.csv"
    data.write_bytes(("\ufeffx1,x2,const,label\r\n\r\n" + rows).encode())
    outcome = run_cli(["train", str(_config_for(tmp_path, data)), "--run-dir", str(tmp_path / "run"), "-q"])
    assert outcome.code == 0, outcome.stderr
    meta = json.loads((tmp_path / "run/checkpoints/last.json").read_text())
    assert meta["label_mapping"] == {"0": "no", "1": "yes"} and meta["standardization"]["std"][2] == 1.0


# ---- eval / predict files: exit 4, or a note ----------------------------------------------------
@pytest.mark.parametrize(("text", "code", "fragments"), [
    ("x2,x1,label\n0.1,0.2,0\n0.3,0.4,1\n", 0, []),
    ("x1,x2,extra,label\n0.1,0.2,9,0\n0.3,0.4,9,1\n", 0, []),
    ("x1,label\n0.1,0\n", 4, ["missing column(s) the model was trained on: x2"]),
    ("x1,x2,label\n0.1,0.2,0\n0.3,0.4,5\n", 4, ["e.csv:3: label '5' is not one of the model's labels"]),
    ("x1,x2,label\n0.1,oops,0\n", 4, ["e.csv:2: column 'x2' holds 'oops'"]),
    ("x1,x2\n0.1,0.2\n", 4, ["no column 'label'"]),
    ("", 4, ["e.csv: the file is empty"]),
])
def test_eval_files(run_copy: Path, tmp_path: Path, text: str, code: int, fragments: list[str]) -> None:
    data = tmp_path / "e.csv"
    data.write_text(text)
    before = snapshot(run_copy)
    outcome = run_cli(["eval", str(run_copy), "--data", str(data)])
    if code == 0:
        assert outcome.code == 0, outcome.stderr
    else:
        assert_clean_error(outcome, code, *fragments)
    assert snapshot(run_copy) == before


def test_extra_columns_are_noted_and_predict_needs_no_labels(run_copy: Path, tmp_path: Path) -> None:
    data = tmp_path / "p.csv"
    data.write_text("extra,x2,x1\n1,0.1,0.2\n2,0.3,0.4\n")
    outcome = run_cli(["predict", str(run_copy), "--data", str(data), "--out", str(tmp_path / "out.csv")])
    assert outcome.code == 0 and "ignored column(s) the model does not use: extra" in outcome.stderr
    assert len((tmp_path / "out.csv").read_text().splitlines()) == 3


# ---- checkpoints: exit 5 ------------------------------------------------------------------------
def _weights_path(run: Path) -> Path:
    meta = json.loads((run / "checkpoints/best.json").read_text())
    return run / "checkpoints" / meta["weights_file"]


def _state(run: Path) -> dict[str, np.ndarray]:
    with np.load(_weights_path(run)) as archive:
        return {k: archive[k] for k in archive.files}


def _tensors(state: dict[str, np.ndarray]) -> dict:
    return {k: {"shape": list(v.shape), "dtype": str(v.dtype)} for k, v in state.items()}


def _corrupt(kind: str) -> Callable[[Path], None]:
    def apply(run: Path) -> None:
        weights = _weights_path(run)
        data = weights.read_bytes()
        state = _state(run)
        if kind == "zero_byte":
            weights.write_bytes(b"")
        elif kind == "truncated":
            weights.write_bytes(data[: len(data) // 2])
        elif kind == "bit_flip":
            weights.write_bytes(data[:100] + bytes([data[100] ^ 0x01]) + data[101:])
        elif kind == "weights_missing":
            weights.unlink()
        elif kind == "not_npz":
            rewrite_weights(run, b"this is not a zip archive at all")
        elif kind == "truncated_consistent":
            rewrite_weights(run, data[: len(data) // 2])
        elif kind == "pickle_payload":
            payload = npz_bytes({**state, "layers.0.weight": np.array([{"evil": 1}], dtype=object)})
            rewrite_weights(run, payload)
        elif kind == "missing_tensor":
            del state["layers.0.bias"]
            rewrite_weights(run, npz_bytes(state))
        elif kind == "extra_tensor":
            rewrite_weights(run, npz_bytes({**state, "layers.9.weight": np.zeros(3, np.float32)}))
        elif kind == "wrong_shape":
            state["layers.0.weight"] = np.zeros((5, 5), np.float32)
            rewrite_weights(run, npz_bytes(state), _tensors(state))
        elif kind == "wrong_dtype":
            state["layers.0.weight"] = state["layers.0.weight"].astype(np.int64)
            rewrite_weights(run, npz_bytes(state), _tensors(state))
        elif kind == "nan_weights":
            state["layers.0.weight"][0, 0] = np.nan
            rewrite_weights(run, npz_bytes(state))
        elif kind == "huge_header":
            state["layers.0.weight"] = np.zeros((4, 2), np.float32)
            payload = npz_bytes(state).replace(b"'shape': (4, 2)", b"'shape': (9999999999, 2)".ljust(15)[:15])
            rewrite_weights(run, payload)
        else:
            meta_path = run / "checkpoints/best.json"
            meta = json.loads(meta_path.read_text())
            if kind == "future_version":
                meta["format_version"] = 99
            elif kind == "not_luma":
                meta = {"hello": "world"}
            elif kind == "path_traversal":
                meta["weights_file"] = "../../../etc/passwd"
            elif kind == "json_list":
                meta = [1, 2]
            meta_path.write_text(json.dumps(meta))
            if kind == "json_garbage":
                meta_path.write_text("{not json")
            if kind == "json_empty":
                meta_path.write_text("")
    return apply


CHECKPOINT_CASES = {
    "zero_byte": "do not match the sha256",
    "truncated": "do not match the sha256",
    "bit_flip": "do not match the sha256",
    "weights_missing": "is missing",
    "not_npz": "not a valid weights archive",
    "truncated_consistent": "not a valid weights archive",
    "pickle_payload": "dtype object",
    "missing_tensor": "missing ['layers.0.bias']",
    "extra_tensor": "extra ['layers.9.weight']",
    "wrong_shape": "layers.0.weight has shape (5, 5) in the checkpoint, the model expects (4, 2)",
    "wrong_dtype": "has dtype int64",
    "nan_weights": "contains NaN or Inf",
    "future_version": "format version 99 is newer",
    "not_luma": "not a Luma checkpoint",
    "path_traversal": "must be a file name",
    "json_list": "not a Luma checkpoint",
    "json_garbage": "not a readable checkpoint description",
    "json_empty": "not a readable checkpoint description",
}


@pytest.mark.parametrize("case", sorted(CHECKPOINT_CASES))
def test_bad_checkpoints_exit_5(run_copy: Path, case: str) -> None:
    _corrupt(case)(run_copy)
    before = snapshot(run_copy)
    outcome = run_cli(["eval", str(run_copy), "--data", str(ROOT / "data/moons_test.csv")])
    assert_clean_error(outcome, 5, CHECKPOINT_CASES[case])
    assert "best.json" in outcome.stderr or "best-" in outcome.stderr
    assert snapshot(run_copy) == before


def test_missing_run_directory(tmp_path: Path) -> None:
    assert_clean_error(run_cli(["eval", str(tmp_path / "gone"), "--data", "x.csv"]), 5, "gone: not found")
    assert_clean_error(run_cli(["predict", str(tmp_path), "--data", "x.csv", "--out", "y.csv"]), 5, "no checkpoint in this directory")


# ---- command line: exit 2, and output hygiene ---------------------------------------------------
def test_misspelled_option_suggests() -> None:
    outcome = run_cli(["train", "c.yaml", "--epoch", "3"])
    assert outcome.code == 2 and "--epochs" in outcome.stderr


def test_threshold_out_of_range(run_copy: Path) -> None:
    outcome = run_cli(["eval", str(run_copy), "--data", str(ROOT / "data/moons_test.csv"), "--threshold", "1.5"])
    assert_clean_error(outcome, 3, "--threshold must be between 0 and 1")
