"""A hand-written numpy MLP written for speed: no graph, preallocated buffers, in-place updates.

It is the yardstick Luma is measured against: the same network, the same initial weights, the
same data order, the same loss (binary cross-entropy on a sigmoid output, from the logits).
"""

from __future__ import annotations

import numpy as np


class NumpyMLP:
    def __init__(self, layers: list[tuple[np.ndarray, np.ndarray]], hidden: str, optimizer: str, lr: float) -> None:
        self.weights = [w.copy() for w, _ in layers]
        self.biases = [b.copy() for _, b in layers]
        self.hidden = hidden
        self.optimizer = optimizer
        self.lr = lr
        self.dtype = self.weights[0].dtype
        self.t = 0
        self.moments = [(np.zeros_like(p), np.zeros_like(p)) for p in self._params()]
        self.scratch = [np.zeros_like(p) for p in self._params()]
        self.grads_w = [np.zeros_like(w) for w in self.weights]
        self.grads_b = [np.zeros_like(b) for b in self.biases]
        self._buffers: dict[int, tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]] = {}

    def _params(self) -> list[np.ndarray]:
        return [p for pair in zip(self.weights, self.biases) for p in pair]

    def _buffers_for(self, n: int) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
        if n not in self._buffers:
            outs = [w.shape[0] for w in self.weights]
            self._buffers[n] = (
                [np.empty((n, k), self.dtype) for k in outs],  # activations
                [np.empty((n, k), self.dtype) for k in outs],  # gradients w.r.t. pre-activations
                [np.empty((n, k), self.dtype) for k in outs],  # scratch
            )
        return self._buffers[n]

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        n = len(x)
        acts, deltas, tmp = self._buffers_for(n)
        last = len(self.weights) - 1
        inputs = x
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            z = acts[i]
            np.matmul(inputs, w.T, out=z)
            z += b
            if i == last:
                logits = tmp[i]
                np.copyto(logits, z)
                _sigmoid(z)
            elif self.hidden == "relu":
                np.maximum(z, 0, out=z)
            else:
                _sigmoid(z)
            inputs = z
        p = acts[last]
        loss = _bce_from_logits(tmp[last], y)
        delta = deltas[last]
        np.subtract(p, y, out=delta)
        delta *= self.dtype.type(1.0 / n)
        for i in range(last, -1, -1):
            previous = x if i == 0 else acts[i - 1]
            np.matmul(delta.T, previous, out=self.grads_w[i])
            np.sum(delta, axis=0, out=self.grads_b[i])
            if i > 0:
                below = deltas[i - 1]
                np.matmul(delta, self.weights[i], out=below)
                a = acts[i - 1]
                if self.hidden == "relu":
                    below *= a > 0
                else:
                    scratch = tmp[i - 1]
                    np.subtract(1, a, out=scratch)
                    scratch *= a
                    below *= scratch
                delta = below
        self._update()
        return loss

    def _update(self) -> None:
        grads = [g for pair in zip(self.grads_w, self.grads_b) for g in pair]
        if self.optimizer == "sgd":
            for p, g in zip(self._params(), grads):
                g *= self.dtype.type(self.lr)
                p -= g
            return
        self.t += 1
        b1, b2, eps = 0.9, 0.999, 1e-8
        step = self.lr * np.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        for p, g, (m, v), s in zip(self._params(), grads, self.moments, self.scratch):
            m *= b1
            np.multiply(g, 1 - b1, out=s)
            m += s
            v *= b2
            np.multiply(g, g, out=s)
            s *= 1 - b2
            v += s
            np.sqrt(v, out=s)
            s += eps * np.sqrt(1 - b2**self.t)
            np.divide(m, s, out=s)
            s *= step
            p -= s

    def epoch(self, x: np.ndarray, y: np.ndarray, batch: int) -> float:
        total = 0.0
        for start in range(0, len(x), batch):
            xb, yb = x[start : start + batch], y[start : start + batch]
            total += self.step(xb, yb) * len(xb)
        return total / len(x)


def _sigmoid(z: np.ndarray) -> None:
    """In place, overflow-free: (1 + tanh(z/2)) / 2."""
    z *= 0.5
    np.tanh(z, out=z)
    z += 1
    z *= 0.5


def _bce_from_logits(z: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))
