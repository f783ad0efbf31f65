"""load_config: YAML file -> validated Config, with every mistake reported as file:line:col: key."""

from __future__ import annotations

import os
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from luma_cli.config.schema import Config
from luma_cli.config.yaml_source import YamlDocument, parse_yaml
from luma_cli.errors import ConfigError
from luma_cli.registry import did_you_mean

MAX_CONFIG_BYTES = 1_000_000


class LoadedConfig:
    """A validated Config and the file it came from; relative paths resolve against that file."""

    def __init__(self, config: Config, path: Path) -> None:
        self.config = config
        self.path = path

    @property
    def name(self) -> str:
        return self.config.name or self.path.stem

    def resolve(self, relative: str) -> Path:
        """`relative` against the config file's folder, normalized (`configs/../data/x.csv` -> `data/x.csv`)."""
        candidate = Path(relative).expanduser()
        return Path(os.path.normpath(candidate if candidate.is_absolute() else self.path.parent / candidate))

    def resolved_dict(self) -> dict[str, Any]:
        """The config with defaults filled in and data paths made absolute (for the run directory)."""
        data = self.config.model_dump(mode="json")
        data["name"] = self.name
        for key in ("train", "test", "validation"):
            if data["data"].get(key):
                data["data"][key] = str(self.resolve(data["data"][key]).resolve())
        if data["model"].get("custom"):
            file, _, cls = data["model"]["custom"].rpartition(":")
            data["model"]["custom"] = f"{self.resolve(file).resolve()}:{cls}"
        return data


def read_config_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES // 1000} kB; this is not a Luma config")
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found", hint="check the path; see configs/ for examples") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a config file") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text; a config is a YAML file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def load_config(path: str | Path) -> LoadedConfig:
    """Read, parse and validate a config file; raise ConfigError naming file, line and key."""
    path = Path(path)
    text = read_config_text(path)
    document = parse_yaml(text, str(path))
    return validate_document(document, path)


def validate_document(document: YamlDocument, path: Path) -> LoadedConfig:
    if not isinstance(document.data, dict):
        raise ConfigError(
            f"{path}:1:1: the top level must be a mapping of keys (data:, model:, ...), "
            f"got {type(document.data).__name__}",
            hint="see configs/quickstart.yaml for a complete example",
        )
    try:
        config = Config.model_validate(document.data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        first = _describe(errors[0], document, path)
        more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
        raise ConfigError(first[0] + more, hint=first[1]) from None
    return LoadedConfig(config, path)


def _describe(error: dict[str, Any], document: YamlDocument, path: Path) -> tuple[str, str | None]:
    loc = tuple(error["loc"])
    data_path = _data_path(loc, document.data)
    dotted = ".".join(str(p) for p in data_path) or "(top level)"
    kind = error["type"]
    mark = document.mark_for(data_path, prefer_key=kind == "extra_forbidden")
    where = f"{path}:{mark.line}:{mark.column}" if mark else str(path)
    hint = None
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1], document.data)
        message = f"unknown key '{data_path[-1]}'{did_you_mean(str(data_path[-1]), allowed)}"
        hint = f"allowed here: {', '.join(allowed)}" if allowed else None
        return f"{where}: {dotted}: {message}", hint
    if kind == "missing":
        return f"{where}: {dotted}: required key is missing", "see configs/quickstart.yaml for a complete example"
    if kind == "union_tag_invalid":
        tag = error["ctx"]["tag"]
        expected = [t.strip(" '") for t in error["ctx"]["expected_tags"].split(",")]
        return f"{where}: {dotted}.name: unknown choice '{tag}'{did_you_mean(tag, expected)}", f"choose one of: {', '.join(expected)}"
    if kind == "union_tag_not_found":
        return f"{where}: {dotted}: needs a 'name'", None
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
        if "; choose one of:" in message:
            message, _, choices = message.partition("; ")
            hint = choices
    else:
        shown = repr(error["input"])
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        message = f"{message[0].lower()}{message[1:]}, got {shown}"
    return f"{where}: {dotted}: {message}", hint


def _data_path(loc: tuple[Any, ...], data: Any) -> tuple[Any, ...]:
    """The pydantic location with union tags and type names removed: only keys the user wrote."""
    result: list[Any] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            result.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            result.append(part)
            node = node[part]
        elif isinstance(node, dict) and not isinstance(part, int) and _is_last_key(part, loc):
            result.append(part)  # a missing or unknown key
    return tuple(result)


def _is_last_key(part: Any, loc: tuple[Any, ...]) -> bool:
    return part == loc[-1]


def _allowed_keys(loc: tuple[Any, ...], data: Any) -> list[str]:
    """Field names of the schema section at `loc` (union tags in the loc pick the variant)."""
    model: Any = Config
    for part in loc:
        model = _unwrap(model, part)
        if model is None:
            return []
    model = _unwrap(model, None)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return sorted(model.model_fields)
    return []


def _unwrap(annotation: Any, part: Any) -> Any:
    """Step from a type into the part of it named by `part` (a field, a list index, a union tag)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if part is None:
            return annotation
        field = annotation.model_fields.get(part)
        return field.annotation if field else None
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _unwrap(args[0], part)
    if origin in (typing.Union, types.UnionType):
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        for candidate in models:
            tag = candidate.model_fields.get("name")
            if tag is not None and typing.get_args(tag.annotation) == (part,):
                return candidate
        lists = [a for a in args if typing.get_origin(a) is list]
        if isinstance(part, int) and lists:
            return typing.get_args(lists[0])[0]
        return _unwrap(models[0], part) if len(models) == 1 else None
    if origin is list and isinstance(part, int):
        return args[0]
    return None
