"""Config loading: the shipped configs validate; every mistake names file, line, key and a fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from luma_cli.config import load_config
from luma_cli.config.schema import Config
from luma_cli.errors import ConfigError

VALID = """\
data:
  train: train.csv
model:
  layers:
    - {units: 4, activation: relu}
    - {units: 1, activation: sigmoid}
"""


@pytest.mark.parametrize("name", ["quickstart", "moons", "breast_cancer"])
def test_shipped_configs_validate(root: Path, name: str) -> None:
    loaded = load_config(root / "configs" / f"{name}.yaml")
    assert loaded.name == name
    assert loaded.resolve(loaded.config.data.train).is_file()


def test_quickstart_is_the_origin_network(root: Path) -> None:
    cfg = load_config(root / "configs/quickstart.yaml").config
    assert [(layer.units, layer.activation) for layer in cfg.model.layers] == [(8, "sigmoid"), (4, "sigmoid"), (1, "sigmoid")]
    assert (cfg.model.init.weights, cfg.model.init.low, cfg.model.init.high, cfg.model.init.bias) == ("uniform", -0.6, 0.6, "zeros")
    assert cfg.loss == "binary_cross_entropy" and cfg.optimizer.name == "sgd" and cfg.optimizer.lr == 0.5
    assert cfg.training.epochs == 50


def test_defaults_are_filled_in(write) -> None:
    loaded = load_config(write("c.yaml", VALID))
    resolved = loaded.resolved_dict()
    assert resolved["name"] == "c" and resolved["seed"] == 0
    assert resolved["training"]["epochs"] == 50 and resolved["training"]["batch_size"] == 32
    assert resolved["optimizer"]["name"] == "adam" and resolved["optimizer"]["lr"] == 0.001
    assert Path(resolved["data"]["train"]).is_absolute()


def test_paths_resolve_relative_to_the_config_file(write, tmp_path: Path) -> None:
    loaded = load_config(write("sub/c.yaml", VALID))
    assert loaded.resolve("train.csv") == tmp_path / "sub" / "train.csv"


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        (VALID + "trainig: {epochs: 3}\n", r"c\.yaml:7:1: trainig: unknown key 'trainig' \(did you mean 'training'\?\)", "allowed here"),
        (VALID.replace("train: train.csv", "train: train.csv\n  validaton_split: 0.1"),
         r"c\.yaml:3:3: data\.validaton_split: unknown key .*did you mean 'validation_split'", None),
        (VALID + "optimizer: {name: sgd, lr: 0.1, momentun: 0.9}\n", r"c\.yaml:7:.*optimizer\.momentun: unknown key.*'momentum'", "nesterov"),
        (VALID + "optimizer: {name: adam, momentum: 0.9}\n", r"optimizer\.momentum: unknown key", "beta1"),
        (VALID + "optimizer: {name: adm}\n", r"c\.yaml:7:.*optimizer\.name: unknown choice 'adm' \(did you mean 'adam'\?\)", "sgd, adam"),
        (VALID.replace("activation: relu", "activation: rleu"), r"c\.yaml:5:.*model\.layers\.0\.activation: unknown activation 'rleu'", "relu"),
        (VALID + "loss: bce_logits\n", r"loss: unknown loss 'bce_logits'", None),
        (VALID.replace("units: 4", "units: 0"), r"model\.layers\.0\.units: input should be greater than or equal to 1, got 0", None),
        (VALID + "optimizer: {name: sgd, lr: -0.1}\n", r"optimizer\.lr: input should be greater than 0", None),
        (VALID + "optimizer: {name: sgd, lr: 0}\n", r"optimizer\.lr: input should be greater than 0", None),
        (VALID + "training: {epochs: 0}\n", r"training\.epochs: input should be greater than or equal to 1", None),
        (VALID + "training: {batch_size: 0}\n", r"training\.batch_size: batch_size must be at least 1", None),
        (VALID + "training: {batch_size: all}\n", r"training\.batch_size", None),
        (VALID.replace("train: train.csv", "train: train.csv\n  validation_split: 1.0"), r"data\.validation_split: input should be less than 1", None),
        (VALID.replace("train: train.csv", "train: train.csv\n  validation_split: -0.1"), r"data\.validation_split", None),
        (VALID + "training: {epochs: '10'}\n", r"training\.epochs: input should be a valid integer, got '10'", None),
        (VALID + "training: {epochs: 2.5}\n", r"training\.epochs: input should be a valid integer", None),
        (VALID + "training: {dtype: float16}\n", r"training\.dtype: input should be 'float32' or 'float64'", None),
        (VALID + "model: {layers: []}\n", r"duplicate key 'model' \(first on line 3\)", None),
        ("data: {train: a.csv}\n", r"model: required key is missing", None),
        ("data: {train: a.csv}\nmodel: {custom: m.py}\n", r"must look like 'path/to/file.py:ClassName'", None),
        ("data: {train: a.csv}\nmodel: {custom: 'm.py:M', layers: [{units: 1}]}\n", r"set exactly one of 'layers'", None),
        (VALID.replace("model:", "model:\n  init: {weights: he_normal, low: -1}"), r"'low: -1.0' does not apply to initializer 'he_normal'", None),
        (VALID.replace("model:", "model:\n  init: {weights: uniform, low: 1, high: 0}"), r"uniform needs low < high", None),
        (VALID + "seed: yes\n", r"c\.yaml:7:7: 'yes' is ambiguous", "true or false"),
        (VALID + "training: {shuffle: off}\n", r"'off' is ambiguous", None),
        (VALID + "seed: 017\n", r"c\.yaml:7:7: '017' is read differently", "quote"),
        (VALID + "name: 1:30\n", r"'1:30' is read differently", None),
        (VALID + "seed: 0x1f\n", r"'0x1f' is read differently", None),
        (VALID + "x: !!python/object:os.system {}\n", r"tag 'tag:yaml.org,2002:python/object:os.system' is not allowed", None),
        (VALID + "optimizer: {name: sgd, lr: .nan}\n", r"optimizer\.lr", None),
        ("", r"c\.yaml: the config is empty", None),
        ("# only a comment\n", r"the config is empty", None),
        ("- a\n- b\n", r"c\.yaml:1:1: the top level must be a mapping", None),
        ("data: {train: [}\n", r"c\.yaml:1:16: YAML syntax error", "indentation"),
        ("data:\n  train: a\n   bad: indent\n", r"c\.yaml:3:.*YAML syntax error", None),
        ("a: &a [1,2]\nb: *a\n" + VALID, r"unknown key 'a'", None),
    ],
)
def test_config_mistakes_are_named_precisely(write, text: str, message: str, hint: str | None) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        load_config(write("c.yaml", text))
    if hint is not None:
        assert hint in (caught.value.hint or "")


def test_yaml_numbers_follow_the_one_rule(write) -> None:
    cfg = load_config(write("c.yaml", VALID + "optimizer: {name: adam, lr: 1e-3, eps: 1E-7}\nseed: 42\nname: '017'\n")).config
    assert cfg.optimizer.lr == 0.001 and cfg.optimizer.eps == 1e-7 and cfg.seed == 42 and cfg.name == "017"
    cfg = load_config(write("d.yaml", VALID + "training: {shuffle: FALSE, batch_size: full}\nname: !!str 42\n")).config
    assert cfg.training.shuffle is False and cfg.training.batch_size == "full" and cfg.name == "42"


def test_alias_bomb_and_deep_nesting_end_in_a_config_error(write) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)},"
        f" *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
    with pytest.raises(ConfigError, match="alias bomb"):
        load_config(write("bomb.yaml", bomb))
    with pytest.raises(ConfigError, match="nests"):
        load_config(write("deep.yaml", "a: " + "[" * 5000 + "]" * 5000 + "\n"))


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")


def test_schema_exports_json_schema_with_defaults() -> None:
    schema = Config.model_json_schema()
    assert schema["type"] == "object" and {"data", "model"} <= set(schema["required"])
    assert schema["$defs"]["TrainingConfig"]["properties"]["epochs"]["default"] == 50
    assert schema["$defs"]["DataConfig"]["additionalProperties"] is False
