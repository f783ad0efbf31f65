"""Random bytes and random YAML/CSV into the loaders: only clean Luma errors may come out."""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from luma_cli.config import load_config
from luma_cli.data import load_training_data, read_csv
from luma_cli.errors import CheckpointError, ConfigError, DataError
from luma_cli.train.checkpoint import load_checkpoint, save_checkpoint

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WORK = Path(tempfile.mkdtemp(prefix="luma-properties-"))

csv_cells = st.one_of(
    st.from_regex(r"-?[0-9]{1,4}(\.[0-9]{1,3})?", fullmatch=True),
    st.sampled_from(["", "nan", "inf", "NA", "null", "abc", "1e999", "٣", " 2 ", '"', "1,5", "\u00e9"]),
    st.text(max_size=4),
)
csv_rows = st.lists(st.lists(csv_cells, min_size=1, max_size=4), min_size=0, max_size=8)


@FAST
@given(st.binary(max_size=400))
def test_random_bytes_as_csv(payload: bytes) -> None:
    path = WORK / "random.csv"
    path.write_bytes(payload)
    try:
        load_training_data(path)
    except DataError as exc:
        assert str(path) in exc.message


@FAST
@given(csv_rows, st.sampled_from(["\n", "\r\n"]))
def test_random_csv_tables(rows: list[list[str]], newline: str) -> None:
    path = WORK / "table.csv"
    path.write_text(newline.join(",".join(row) for row in rows), encoding="utf-8", newline="")
    try:
        dataset = load_training_data(path)
    except DataError as exc:
        assert str(path) in exc.message
    else:
        assert np.isfinite(dataset.features).all() and set(np.unique(dataset.labels)) == {0.0, 1.0}


@FAST
@given(st.binary(max_size=300))
def test_random_bytes_as_config(payload: bytes) -> None:
    path = WORK / "random.yaml"
    path.write_bytes(payload)
    try:
        load_config(path)
    except ConfigError as exc:
        assert str(path) in exc.message


yaml_scalars = st.one_of(
    st.integers(-5, 5).map(str), st.sampled_from(["1e-3", "017", "1:30", "yes", "off", "~", "null", "true", ".nan",
                                                    "'q'", "&a x", "*a", "!!python/none", "[", "{", "- x", ":"]),
    st.text(alphabet="abcdefg_ ", max_size=6),
)
yaml_keys = st.sampled_from(["data", "model", "train", "layers", "units", "activation", "optimizer", "lr", "name",
                             "training", "epochs", "seed", "loss", "x"])


@st.composite
def yaml_documents(draw: st.DrawFn, depth: int = 0) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        key = draw(yaml_keys)
        if depth < 2 and draw(st.booleans()):
            child = draw(yaml_documents(depth=depth + 1))
            lines.append(f"{key}:\n" + "\n".join("  " + line for line in child.splitlines()))
        else:
            lines.append(f"{key}: {draw(yaml_scalars)}")
    return "\n".join(lines)


@FAST
@given(yaml_documents())
def test_random_yaml_configs(text: str) -> None:
    path = WORK / "doc.yaml"
    path.write_text(text)
    try:
        load_config(path)
    except ConfigError as exc:
        assert str(path) in exc.message


@FAST
@given(st.binary(max_size=600))
def test_random_bytes_as_weights_with_a_matching_hash(payload: bytes) -> None:
    folder = WORK / "ckpt"
    folder.mkdir(exist_ok=True)
    save_checkpoint(folder, "last", {"w": np.ones((2, 2), np.float32)}, {})
    meta = json.loads((folder / "last.json").read_text())
    (folder / meta["weights_file"]).write_bytes(payload)
    meta["sha256"] = hashlib.sha256(payload).hexdigest()
    (folder / "last.json").write_text(json.dumps(meta))
    try:
        load_checkpoint(folder / "last.json")
    except CheckpointError:
        pass


@FAST
@given(st.binary(max_size=300))
def test_random_bytes_as_checkpoint_description(payload: bytes) -> None:
    path = WORK / "desc.json"
    path.write_bytes(payload)
    try:
        load_checkpoint(path)
    except CheckpointError as exc:
        assert str(path) in exc.message or "desc.json" in exc.message


def test_read_csv_reports_every_row_length_problem_with_its_line() -> None:
    path = WORK / "ragged.csv"
    path.write_text("a,b,label\n1,2,0\n\n1,2\n")
    try:
        read_csv(path)
    except DataError as exc:
        assert exc.message.startswith(f"{path}:4:")
    else:
        raise AssertionError("a ragged row must be refused")


@FAST
@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=6), st.integers(0, 10_000))
def test_mutated_valid_archives_with_matching_hash(flips: list[tuple[int, int]], cut: int) -> None:
    """Start from a real checkpoint, corrupt bytes and length, re-sign it: only CheckpointError may result."""
    folder = WORK / "mutated"
    folder.mkdir(exist_ok=True)
    save_checkpoint(folder, "last", {"layers.0.weight": np.ones((3, 2), np.float32), "layers.0.bias": np.zeros(3, np.float32)}, {})
    meta = json.loads((folder / "last.json").read_text())
    payload = bytearray((folder / meta["weights_file"]).read_bytes())
    for position, value in flips:
        payload[position % len(payload)] = value
    payload = bytes(payload[: max(1, cut % (len(payload) + 1))])
    (folder / meta["weights_file"]).write_bytes(payload)
    meta["sha256"] = hashlib.sha256(payload).hexdigest()
    (folder / "last.json").write_text(json.dumps(meta))
    try:
        state = load_checkpoint(folder / "last.json").state
    except CheckpointError:
        return
    assert state["layers.0.weight"].shape == (3, 2) and np.isfinite(state["layers.0.weight"]).all()
