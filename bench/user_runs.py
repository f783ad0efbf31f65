"""The workloads as files on disk, run through `luma train` the way a user would."""

from __future__ import annotations

import csv
import statistics
import subprocess
from pathlib import Path

import numpy as np

from bench.workloads import Workload, make_data


def write_workload_files(workload: Workload, folder: Path) -> Path:
    """`<key>.csv` (features, label) and `<key>.yaml` with no shuffling and no validation split."""
    key = workload.name.split()[0]
    data = folder / f"{key}.csv"
    if not data.exists():
        x, y = make_data(workload)
        columns = [f"x{i}" for i in range(x.shape[1])] + ["label"]
        table = np.hstack([x.astype(np.float64), y.astype(np.float64)])
        np.savetxt(data, table, delimiter=",", header=",".join(columns), comments="", fmt="%.7g")
    layers = "\n".join(f"    - {{units: {n}, activation: {workload.hidden}}}" for n in workload.sizes[1:-1])
    init = "{weights: uniform, low: -0.6, high: 0.6}" if workload.hidden == "sigmoid" else "{weights: he_uniform}"
    config = folder / f"{key}.yaml"
    config.write_text(f"""name: {key}
seed: 0
data: {{train: {data}, validation_split: 0.0, standardize: false}}
model:
  layers:
{layers}
    - {{units: 1, activation: sigmoid}}
  init: {init}
loss: binary_cross_entropy
optimizer: {{name: {workload.optimizer}, lr: {workload.lr}}}
training: {{epochs: {workload.epochs}, batch_size: {workload.batch or '"full"'}, shuffle: false, dtype: {np.dtype(workload.dtype).name}}}
""")
    return config


def luma_train_epoch_seconds(luma: str, config: Path, run_dir: Path) -> float:
    subprocess.run([luma, "train", str(config), "--quiet", "--run-dir", str(run_dir)], check=True, capture_output=True)
    with open(run_dir / "metrics.csv") as handle:
        return statistics.median(float(row["seconds"]) for row in csv.DictReader(handle))


def peak_memory_mb(luma: str, config: Path, run_dir: Path) -> float:
    """The peak resident memory (VmHWM) of `luma train` itself, read inside that process at exit.

    Not wait4's ru_maxrss: Linux folds the forking parent's RSS into a child's maxrss at exec.
    """
    report = run_dir.with_suffix(".peak")
    script = (
        "import atexit, sys\n"
        "def report():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmHWM'):\n"
        f"            open({str(report)!r}, 'w').write(line.split()[1])\n"
        "atexit.register(report)\n"
        "from luma_cli.cli.app import main\n"
        f"sys.argv = ['luma', 'train', {str(config)!r}, '--quiet', '--run-dir', {str(run_dir)!r}]\n"
        "main()\n"
    )
    python = str(Path(luma).with_name("python"))
    subprocess.run([python, "-c", script], check=True, capture_output=True)
    return int(report.read_text()) / 1024  # kB -> MB
