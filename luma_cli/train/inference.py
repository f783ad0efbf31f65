"""Prediction without a graph: no tape is active, so no op is recorded."""

from __future__ import annotations

import numpy as np

from luma_cli.autograd import Tensor
from luma_cli.nn import Loss, Module


def predict_probabilities(model: Module, loss: Loss, features: np.ndarray, batch_size: int = 65536) -> np.ndarray:
    """P(label = 1) for each row, as float64, computed in batches to bound memory."""
    model.eval()
    dtype = model.parameters()[0].data.dtype if model.parameters() else np.float64
    chunks = []
    for start in range(0, len(features), batch_size):
        x = np.ascontiguousarray(features[start : start + batch_size], dtype=dtype)
        output = model(Tensor(x, kind="input")).data
        chunks.append(loss.probabilities(output).reshape(len(x), -1)[:, 0].astype(np.float64))
    return np.concatenate(chunks) if chunks else np.zeros(0)
