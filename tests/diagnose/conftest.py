"""A fixture that writes a custom model and a config for it, so each test states only its defect."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest


@pytest.fixture
def plugin(tmp_path: Path, root: Path):
    """plugin(body, loss=..., extra=...) -> config path for class `Net` defined by `body` (indented class body)."""

    def _make(body: str, loss: str = "binary_cross_entropy", data: str = "data/moons_train.csv",
              header: str = "", batch_size: int = 32, extra: str = "") -> Path:
        source = textwrap.dedent('''
            import numpy as np
            from luma_cli.autograd import Tensor
            from luma_cli.nn import Dense, Module, Parameter, Sequential, functional as F
            {header}

            class Net(Module):
            {body}
        ''').format(header=textwrap.dedent(header), body=textwrap.indent(textwrap.dedent(body), "    "))
        (tmp_path / "model.py").write_text(source)
        config = tmp_path / "config.yaml"
        config.write_text(textwrap.dedent(f"""
            seed: 0
            data:
              train: {root / data}
              validation_split: 0.2
            model:
              custom: model.py:Net
            loss: {loss}
            optimizer: {{name: sgd, lr: 0.1}}
            training: {{epochs: 3, batch_size: {batch_size}}}
        """) + extra)
        return config

    return _make


MLP_INIT = '''
def __init__(self, in_features, rng):
    super().__init__()
    self.layers = Sequential(Dense(in_features, 8, "tanh", rng=rng), Dense(8, 4, "tanh", rng=rng), Dense(4, 1, "sigmoid", rng=rng))
'''
