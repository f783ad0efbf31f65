"""Custom models from config: built with the seeded rng, and every failure reported at the user's line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from luma_cli import api
from luma_cli.errors import PluginError
from tests.diagnose.conftest import MLP_INIT


def test_custom_model_trains_and_is_reproducible(plugin, tmp_path: Path) -> None:
    config = plugin(MLP_INIT + '''
def forward(self, x):
    return self.layers(x)
''')
    a = api.train(config, run_dir=tmp_path / "a")
    b = api.train(config, run_dir=tmp_path / "b")
    assert a.history[-1].train_loss < a.history[0].train_loss
    assert [m.train_loss for m in a.history] == [m.train_loss for m in b.history]
    assert api.load_model(a.run_dir).model.__class__.__name__ == "Net"


def test_constructor_gets_args_from_config(plugin) -> None:
    config = plugin('''
def __init__(self, in_features, width=2):
    super().__init__()
    self.out = Dense(in_features, width)
    self.head = Dense(width, 1, "sigmoid")

def forward(self, x):
    return self.head(self.out(x))
''', extra="")
    text = config.read_text().replace("custom: model.py:Net", "custom: model.py:Net\n  args: {width: 5}")
    config.write_text(text)
    model = api.build_model(api.load_config(config), in_features=2)
    assert model.out.weight.shape == (5, 2)


@pytest.mark.parametrize(("body", "header", "message"), [
    ("def __init__(self, in_features):\n    super().__init__()\n    raise ValueError('bad width')\n", "", r"model\.py:10 in __init__: ValueError: bad width"),
    ("def __init__(self, in_features):\n    super().__init__()\n\ndef forward(self, x):\n    return x[:, 99]\n", "", r"model\.py:\d+ in forward: IndexError"),
    ("def __init__(self, in_features):\n    super().__init__()\n    self.d = Dense(in_features, 3)\n\ndef forward(self, x):\n    return self.d(x)\n", "", r"returned shape \(32, 3\)"),
    ("def __init__(self, in_features):\n    super().__init__()\n\ndef forward(self, x):\n    return 1.0\n", "", r"returned float, not a luma Tensor"),
    ("def __init__(self, in_features):\n    pass\n", "", r"did not initialize Module"),
    ("def __init__(self, in_features):\n    super().__init__()\n    import sys\n    sys.exit(0)\n", "", r"called sys\.exit\(0\)"),
    ("pass\n", "raise RuntimeError('import boom')", r"model\.py:\d+ in <module>: RuntimeError: import boom"),
    ("def __init__(self, in_features):\n    super().__init__()\n\ndef forward(self, x):\n    raise SystemExit(0)\n", "", r"called sys\.exit\(0\)"),
])
def test_errors_in_user_code_point_at_the_user_line(plugin, body: str, header: str, message: str) -> None:
    config = plugin(body, header=header)
    with pytest.raises(PluginError, match=message) as caught:
        api.diagnose(config)
    assert caught.value.exit_code == 6


def test_syntax_error_missing_class_not_a_module_missing_file(plugin, tmp_path: Path) -> None:
    config = plugin("pass\n")
    (tmp_path / "model.py").write_text("class Net(:\n")
    with pytest.raises(PluginError, match=r"model\.py:1: syntax error"):
        api.diagnose(config)
    (tmp_path / "model.py").write_text("from luma_cli.nn import Module\nclass Other(Module):\n    pass\n")
    with pytest.raises(PluginError, match="no class 'Net'") as caught:
        api.diagnose(config)
    assert "Other" in caught.value.hint
    (tmp_path / "model.py").write_text("class Net:\n    pass\n")
    with pytest.raises(PluginError, match="not a subclass of luma_cli.nn.Module"):
        api.diagnose(config)
    (tmp_path / "model.py").unlink()
    with pytest.raises(PluginError, match="model.py not found"):
        api.diagnose(config)


def test_plugin_error_through_the_cli_is_exit_6_without_traceback(plugin) -> None:
    config = plugin("def __init__(self, in_features):\n    super().__init__()\n    raise ValueError('bad width')\n")
    result = subprocess.run([sys.executable, "-m", "luma_cli", "debug-grads", str(config)], capture_output=True, text=True)
    assert result.returncode == 6 and "Traceback" not in result.stderr
    assert "model.py:10 in __init__: ValueError: bad width" in result.stderr
