"""The contenders, each able to train a workload from given initial weights: Luma, numpy, PyTorch."""

from __future__ import annotations

import math
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.reference import NumpyMLP
from bench.workloads import Workload
from luma_cli.data import LabelMapping
from luma_cli.nn import LOSSES, MLP, LayerSpec
from luma_cli.optim import SGD, Adam
from luma_cli.optim.schedules import Constant
from luma_cli.train.prepare import PreparedData
from luma_cli.train.run_dir import RunDirectory
from luma_cli.train.trainer import Trainer, TrainSettings


class LumaSide:
    """Luma's own Trainer, as `luma train` runs it (no shuffling, no validation), timed per epoch."""

    name = "luma"

    def __init__(self, workload: Workload, layers: list[tuple[np.ndarray, np.ndarray]], x: np.ndarray, y: np.ndarray) -> None:
        specs = [LayerSpec(n, workload.hidden) for n in workload.sizes[1:-1]] + [LayerSpec(1, "sigmoid")]
        model = MLP(workload.sizes[0], specs, dtype=workload.dtype)
        for dense, (w, b) in zip(model.layers, layers):
            dense.weight.data = w.copy()
            dense.bias.data = b.copy()
        model.label_parameters()
        params = list(model.named_parameters())
        optimizer = SGD(params, lr=workload.lr) if workload.optimizer == "sgd" else Adam(params, lr=workload.lr)
        data = PreparedData(train_x=x, train_y=y, val_x=None, val_y=None, feature_names=[f"x{i}" for i in range(x.shape[1])],
                            label_name="label", mapping=LabelMapping("0", "1"), standardizer=None)
        settings = TrainSettings(epochs=workload.epochs, batch_size=workload.batch_size, shuffle=False, monitor="train_loss")
        self._folder = tempfile.TemporaryDirectory(prefix="luma-bench-")
        self.trainer = Trainer(model, LOSSES.get("binary_cross_entropy"), optimizer, Constant(workload.lr, workload.epochs),
                               data, settings, RunDirectory(Path(self._folder.name)), {}, np.random.default_rng(0))
        self.steps = math.ceil(len(x) / workload.batch_size)
        self.epoch = 0

    def run_epoch(self) -> tuple[float, float]:
        self.epoch += 1
        start = time.perf_counter()
        metrics = self.trainer.run_epoch(self.epoch, self.steps)
        elapsed = time.perf_counter() - start
        self.trainer.state.start_epoch()  # as Trainer.fit does between epochs
        return elapsed, metrics.train_loss


class NumpySide:
    name = "numpy"

    def __init__(self, workload: Workload, layers: list[tuple[np.ndarray, np.ndarray]], x: np.ndarray, y: np.ndarray) -> None:
        self.net = NumpyMLP(layers, workload.hidden, workload.optimizer, workload.lr)
        self.x, self.y, self.batch = x, y, workload.batch_size

    def run_epoch(self) -> tuple[float, float]:
        start = time.perf_counter()
        loss = self.net.epoch(self.x, self.y, self.batch)
        return time.perf_counter() - start, loss


class TorchSide:
    """Only when PyTorch happens to be installed; it is not a dependency."""

    name = "torch"

    def __init__(self, workload: Workload, layers: list[tuple[np.ndarray, np.ndarray]], x: np.ndarray, y: np.ndarray) -> None:
        import torch

        torch.set_num_threads(2)
        modules: list[torch.nn.Module] = []
        for i, (w, b) in enumerate(layers):
            linear = torch.nn.Linear(w.shape[1], w.shape[0]).to(torch.float32 if workload.dtype == np.float32 else torch.float64)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(w))
                linear.bias.copy_(torch.from_numpy(b))
            modules.append(linear)
            if i < len(layers) - 1:
                modules.append(torch.nn.ReLU() if workload.hidden == "relu" else torch.nn.Sigmoid())
        self.torch = torch
        self.model = torch.nn.Sequential(*modules)
        opt = torch.optim.SGD if workload.optimizer == "sgd" else torch.optim.Adam
        self.optimizer = opt(self.model.parameters(), lr=workload.lr)
        self.loss = torch.nn.BCEWithLogitsLoss()
        self.x, self.y, self.batch = torch.from_numpy(x), torch.from_numpy(y), workload.batch_size

    def run_epoch(self) -> tuple[float, float]:
        start = time.perf_counter()
        total = 0.0
        for i in range(0, len(self.x), self.batch):
            xb, yb = self.x[i : i + self.batch], self.y[i : i + self.batch]
            self.optimizer.zero_grad()
            loss = self.loss(self.model(xb), yb)
            loss.backward()
            self.optimizer.step()
            total += float(loss) * len(xb)
        return time.perf_counter() - start, total / len(self.x)


def available_sides() -> list[type]:
    sides: list[type] = [LumaSide, NumpySide]
    try:
        import torch  # noqa: F401
    except ImportError:
        return sides
    return sides + [TorchSide]
