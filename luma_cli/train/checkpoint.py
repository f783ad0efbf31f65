"""Checkpoints: an .npz of parameters by dotted name plus a JSON document that commits to it.

Layout in a run's `checkpoints/` folder: `last.json` names `last-<sha12>.npz` and records its
sha256. The npz is written first under a new name, then the JSON is atomically replaced, then
the old npz is removed: at every instant `last.json` points at a complete file it vouches for.
Loading never unpickles (`allow_pickle=False`) and checks the hash before parsing.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from luma_cli import __version__
from luma_cli.errors import CheckpointError
from luma_cli.fileio import write_atomic, write_text_atomic

FORMAT = "luma-checkpoint"
FORMAT_VERSION = 1
MAX_META_BYTES = 10_000_000
MAX_WEIGHTS_BYTES = 2_000_000_000
_DTYPES = {"float32", "float64"}


@dataclass
class Checkpoint:
    """Parameter arrays by dotted name, and the metadata that describes how to use them."""

    state: dict[str, np.ndarray]
    meta: dict[str, Any]
    path: Path


def save_checkpoint(directory: Path, tag: str, state: dict[str, np.ndarray], meta: dict[str, Any]) -> Path:
    """Write `<tag>.json` and its npz atomically into `directory`; returns the JSON's path."""
    buffer = io.BytesIO()
    np.savez(buffer, **state)
    payload = buffer.getvalue()
    digest = hashlib.sha256(payload).hexdigest()
    weights_name = f"{tag}-{digest[:12]}.npz"
    json_path = directory / f"{tag}.json"
    previous = _previous_weights(json_path)
    write_atomic(directory / weights_name, lambda handle: handle.write(payload))
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "luma_version": __version__,
        "weights_file": weights_name,
        "sha256": digest,
        "tensors": {name: {"shape": list(a.shape), "dtype": str(a.dtype)} for name, a in state.items()},
        **meta,
    }
    write_text_atomic(json_path, json.dumps(document, indent=2) + "\n")
    if previous and previous != weights_name:
        (directory / previous).unlink(missing_ok=True)
    return json_path


def _previous_weights(json_path: Path) -> str | None:
    try:
        return json.loads(json_path.read_text()).get("weights_file")
    except (OSError, ValueError, AttributeError):
        return None


def resolve_checkpoint(path: str | Path, prefer: str = "best") -> Path:
    """A run directory, its checkpoints/ folder, a checkpoint .json or its .npz -> the .json path."""
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"{path}: not found", hint="pass a run directory printed by `luma train`, or its checkpoints/<name>.json")
    if path.is_dir():
        folder = path / "checkpoints" if (path / "checkpoints").is_dir() else path
        for tag in (prefer, "last", "best"):
            if (folder / f"{tag}.json").is_file():
                return folder / f"{tag}.json"
        raise CheckpointError(f"{path}: no checkpoint in this directory", hint="pass a run directory printed by `luma train`")
    if path.suffix == ".npz":
        for candidate in sorted(path.parent.glob("*.json")):
            if _previous_weights(candidate) == path.name:
                return candidate
        raise CheckpointError(f"{path}: no checkpoint .json beside it names this file", hint="pass the run directory instead")
    return path


def load_checkpoint(path: str | Path, prefer: str = "best") -> Checkpoint:
    """Read and verify a checkpoint; every problem is a CheckpointError naming the file."""
    json_path = resolve_checkpoint(path, prefer)
    meta = _read_meta(json_path)
    weights_path = json_path.parent / meta["weights_file"]
    try:
        size = weights_path.stat().st_size
        if size > MAX_WEIGHTS_BYTES:
            raise CheckpointError(f"{weights_path}: {size} bytes is larger than any Luma checkpoint")
        payload = weights_path.read_bytes()
    except FileNotFoundError:
        raise CheckpointError(f"{weights_path}: weights file named by {json_path.name} is missing") from None
    except OSError as exc:
        raise CheckpointError(f"{weights_path}: cannot read: {exc.strerror}") from None
    if hashlib.sha256(payload).hexdigest() != meta["sha256"]:
        raise CheckpointError(
            f"{weights_path}: contents do not match the sha256 recorded in {json_path.name} (corrupt or modified)",
            hint="use another checkpoint (e.g. checkpoints/last.json) or retrain",
        )
    state = _read_arrays(weights_path, payload, meta["tensors"])
    return Checkpoint(state=state, meta=meta, path=json_path)


def _read_meta(json_path: Path) -> dict[str, Any]:
    try:
        if json_path.stat().st_size > MAX_META_BYTES:
            raise CheckpointError(f"{json_path}: too large to be a checkpoint description")
        meta = json.loads(json_path.read_bytes())
    except FileNotFoundError:
        raise CheckpointError(f"{json_path}: not found") from None
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"{json_path}: not a readable checkpoint description ({exc})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError(f"{json_path}: not a Luma checkpoint", hint="pass a run directory printed by `luma train`")
    version = meta.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise CheckpointError(
            f"{json_path}: checkpoint format version {version!r} is newer than this Luma understands ({FORMAT_VERSION})",
            hint="upgrade Luma to read it",
        )
    for key, kind in (("weights_file", str), ("sha256", str), ("tensors", dict)):
        if not isinstance(meta.get(key), kind):
            raise CheckpointError(f"{json_path}: field '{key}' is missing or malformed")
    if "/" in meta["weights_file"] or "\\" in meta["weights_file"]:
        raise CheckpointError(f"{json_path}: weights_file must be a file name in the same folder")
    return meta


def _read_arrays(path: Path, payload: bytes, expected: dict[str, Any]) -> dict[str, np.ndarray]:
    """Arrays named and shaped as `expected`; each header is checked before any array is allocated."""
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            members = {info.filename.removesuffix(".npy"): info for info in archive.infolist()}
            if set(members) != set(expected):
                missing = sorted(set(expected) - set(members))
                extra = sorted(set(members) - set(expected))
                raise CheckpointError(f"{path}: tensors do not match its description (missing {missing}, extra {extra})")
            return {name: _read_member(path, archive, members[name], name, spec) for name, spec in expected.items()}
    except CheckpointError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, KeyError, RuntimeError,
            NotImplementedError, zlib.error) as exc:
        raise CheckpointError(f"{path}: not a valid weights archive ({exc})") from None


def _read_member(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, spec: Any) -> np.ndarray:
    if not isinstance(spec, dict):
        raise CheckpointError(f"{path}: the description of tensor {name} is malformed")
    with archive.open(info) as member:
        version = np.lib.format.read_magic(member)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(member)
        elif version == (2, 0):
            shape, _, dtype = np.lib.format.read_array_header_2_0(member)
        else:
            raise CheckpointError(f"{path}: tensor {name} uses npy format {version}, which Luma does not read")
    if dtype.name not in _DTYPES or dtype.name != spec.get("dtype"):
        raise CheckpointError(f"{path}: tensor {name} has dtype {dtype}, expected {spec.get('dtype')}")
    if list(shape) != list(spec.get("shape", [])):
        raise CheckpointError(f"{path}: tensor {name} has shape {tuple(shape)}, expected {tuple(spec.get('shape', []))}")
    if int(np.prod(shape)) * dtype.itemsize > info.file_size:
        raise CheckpointError(f"{path}: tensor {name} is truncated")
    with archive.open(info) as member:
        array = np.lib.format.read_array(member, allow_pickle=False)
    if not np.isfinite(array).all():
        raise CheckpointError(f"{path}: tensor {name} contains NaN or Inf")
    return array
