"""`make bench`: Luma against a hand-written numpy reference (and PyTorch, if installed), side by side.

Every number printed comes from this one run. Sections:
  1. W0-W3 training, interleaved epoch by epoch from the same initial weights and data;
  2. the same workloads as a user runs them: `luma train` writes per-epoch seconds to metrics.csv;
  3. start-up and end to end: `luma --help`, `luma train configs/quickstart.yaml`;
  4. CSV loading (with Luma's validation) against numpy.loadtxt on 100,000 x 65;
  5. peak memory of W2 training (`luma train`, the process's own high-water mark).
`python -m bench --quick` skips W3 and repeats less.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.sides import available_sides
from bench.user_runs import luma_train_epoch_seconds, peak_memory_mb, write_workload_files
from bench.workloads import WORKLOADS, Workload, initial_weights, make_data
from luma_cli.data import load_training_data

ROOT = Path(__file__).resolve().parent.parent
REPEATS = {"W0": 6, "W1": 6, "W2": 2, "W3": 2}


def interleaved(workload: Workload, repeats: int) -> dict[str, dict[str, float]]:
    """Per side: median/min/max seconds per epoch, and final loss. Sides alternate every epoch."""
    x, y = make_data(workload)
    layers = initial_weights(workload)
    classes = available_sides()
    seconds: dict[str, list[float]] = {cls.name: [] for cls in classes}
    final_loss: dict[str, float] = {}
    for repeat in range(repeats):
        sides = [cls(workload, layers, x, y) for cls in classes]
        for epoch in range(workload.epochs):
            order = sides if (epoch + repeat) % 2 == 0 else sides[::-1]
            for side in order:
                elapsed, loss = side.run_epoch()
                seconds[side.name].append(elapsed)
                final_loss[side.name] = loss
    return {
        name: {"median": statistics.median(v), "min": min(v), "max": max(v), "loss": final_loss[name]}
        for name, v in seconds.items()
    }


def reference_pass(workload: Workload) -> float:
    """Median seconds per epoch of the numpy reference over one full run of the workload."""
    x, y = make_data(workload)
    side = next(cls for cls in available_sides() if cls.name == "numpy")(workload, initial_weights(workload), x, y)
    return statistics.median(side.run_epoch()[0] for _ in range(workload.epochs))


def timed_command(args: list[str], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def csv_loading(path: Path, repeats: int) -> tuple[float, float]:
    """Median seconds: Luma's loader (all validation included) and numpy.loadtxt, alternating."""
    luma, numpy = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        load_training_data(path)
        luma.append(time.perf_counter() - start)
        start = time.perf_counter()
        np.loadtxt(path, delimiter=",", skiprows=1)
        numpy.append(time.perf_counter() - start)
    return statistics.median(luma), statistics.median(numpy)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, skip W3")
    options = parser.parse_args()
    workloads = WORKLOADS[:3] if options.quick else WORKLOADS
    luma = str(Path(sys.executable).with_name("luma"))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"numpy {np.__version__}; sides: {', '.join(c.name for c in available_sides())}")

    print("\n1. Training, interleaved epoch by epoch (seconds per epoch; ratio = median Luma / median numpy)")
    print(f"{'workload':<20} {'side':<6} {'median':>10} {'min':>10} {'max':>10} {'ratio':>7} {'final loss':>12}")
    reference_medians: dict[str, float] = {}
    for workload in workloads:
        key = workload.name.split()[0]
        results = interleaved(workload, 2 if options.quick else REPEATS[key])
        reference = results["numpy"]["median"]
        reference_medians[key] = reference
        for name, r in results.items():
            print(f"{workload.name:<20} {name:<6} {r['median']:>10.5f} {r['min']:>10.5f} {r['max']:>10.5f} "
                  f"{r['median'] / reference:>7.3f} {r['loss']:>12.6f}")
        gap = abs(results["luma"]["loss"] - results["numpy"]["loss"]) / max(abs(results["numpy"]["loss"]), 1e-12)
        print(f"{'':<20} same final loss: {'yes' if gap < 1e-3 else 'NO'} (relative difference {gap:.1e})")

    with tempfile.TemporaryDirectory(prefix="luma-bench-") as folder:
        work = Path(folder)
        print("\n2. As a user runs it: `luma train` (no shuffling, no validation), median of metrics.csv seconds;")
        print("   each run is paired with a numpy reference pass right before it, so both see the same machine state")
        for workload in workloads:
            key = workload.name.split()[0]
            config = write_workload_files(workload, work)
            runs = 1 if key in ("W2", "W3") else 3
            ratios, luma_seconds, numpy_seconds = [], [], []
            for i in range(runs):
                numpy_seconds.append(reference_pass(workload))
                luma_seconds.append(luma_train_epoch_seconds(luma, config, work / f"{key}-run{i}"))
                ratios.append(luma_seconds[-1] / numpy_seconds[-1])
            print(f"{workload.name:<20} luma train {statistics.median(luma_seconds):>10.5f} s/epoch   "
                  f"numpy {statistics.median(numpy_seconds):>10.5f}   ratio {statistics.median(ratios):.3f}   "
                  f"({runs} paired run{'s' if runs > 1 else ''})")

        print("\n3. Start-up and end to end (median wall time)")
        print(f"luma --help                               {timed_command([luma, '--help'], 7):.3f} s")
        quick_run = [luma, "train", str(ROOT / "configs/quickstart.yaml"), "--quiet", "--run-dir"]
        runs_s = []
        for i in range(3):
            start = time.perf_counter()
            subprocess.run(quick_run + [str(work / f"quickstart-{i}")], check=True, capture_output=True)
            runs_s.append(time.perf_counter() - start)
        print(f"luma train configs/quickstart.yaml        {statistics.median(runs_s):.3f} s")

        print("\n4. CSV loading, 100,000 rows x 65 columns (median of 5)")
        w2 = next(w for w in WORKLOADS if w.name.startswith("W2"))
        write_workload_files(w2, work)
        luma_s, numpy_s = csv_loading(work / "W2.csv", 5)
        print(f"luma (with validation) {luma_s:.3f} s   numpy.loadtxt {numpy_s:.3f} s   ratio {luma_s / numpy_s:.3f}")

        print("\n5. Peak memory of W2 training (`luma train`, VmHWM of that process)")
        training_set_mb = w2.rows * w2.sizes[0] * 4 / 1e6
        peak = peak_memory_mb(luma, work / "W2.yaml", work / "W2-memory-run")
        limit = 2 * training_set_mb + 150
        print(f"peak {peak:.0f} MB; float32 training set {training_set_mb:.1f} MB; limit 2 x set + 150 MB = {limit:.0f} MB: "
              f"{'within' if peak <= limit else 'OVER'}")


if __name__ == "__main__":
    main()
