"""Custom models: `model: {custom: "path/to/file.py:ClassName", args: {...}}` in a config.

The class subclasses luma_cli.nn.Module and is built as ClassName(in_features=..., **args).
Every failure in the user's file is a PluginError pointing at the user's own file and line.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from luma_cli.config.load import LoadedConfig
from luma_cli.errors import PluginError
from luma_cli.nn import Module

T = TypeVar("T")


def user_frame(exc: BaseException, path: Path) -> str:
    """`file:line in function` of the deepest traceback frame inside the user's file."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename).resolve() == path.resolve()]
    if not frames:
        return str(path)
    frame = frames[-1]
    return f"{path}:{frame.lineno} in {frame.name}"


def call_user_code(path: Path, what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run user code; any exception (or sys.exit) becomes a PluginError at the user's line."""
    try:
        return fn(*args, **kwargs)
    except (KeyboardInterrupt, PluginError):
        raise
    except SystemExit as exc:
        raise PluginError(
            f"{user_frame(exc, path)}: the custom model called sys.exit({exc.code!r}) {what}",
            hint="a model must not exit the process; raise an exception instead",
        ) from None
    except Exception as exc:
        raise PluginError(
            f"{user_frame(exc, path)}: {type(exc).__name__}: {exc} ({what})",
            hint="run with --debug for the full traceback",
        ) from exc


def _import_file(path: Path) -> Any:
    module_name = f"luma_user_model_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise PluginError(f"{path}: cannot be imported as a Python file")
    module = importlib.util.module_from_spec(spec)
    try:
        source = path.read_text(encoding="utf-8")
        compile(source, str(path), "exec")
    except SyntaxError as exc:
        raise PluginError(f"{path}:{exc.lineno}: syntax error: {exc.msg}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PluginError(f"{path}: cannot read: {exc}") from None
    sys.modules[module_name] = module
    call_user_code(path, "while importing the file", spec.loader.exec_module, module)
    return module


def _init_parameters(cls: type) -> set[str]:
    try:
        return set(inspect.signature(cls.__init__).parameters)
    except (TypeError, ValueError):
        return set()


def build_custom_model(loaded: LoadedConfig, in_features: int, rng: Any = None) -> Module:
    """Import the user's file, find the class, check it is a Module, and construct it.

    If the class's __init__ takes an `rng` argument, it gets the generator seeded from the config,
    so a custom model initializes reproducibly.
    """
    spec = loaded.config.model.custom
    assert spec is not None
    file_part, _, class_name = spec.rpartition(":")
    path = loaded.resolve(file_part)
    if not path.is_file():
        raise PluginError(
            f"{loaded.path}: model.custom: file {path} not found",
            hint="the path is relative to the config file",
        )
    module = _import_file(path)
    cls = getattr(module, class_name, None)
    if cls is None:
        candidates = sorted(
            name for name, value in vars(module).items()
            if isinstance(value, type) and issubclass(value, Module) and value is not Module
        )
        raise PluginError(
            f"{path}: no class '{class_name}'",
            hint=f"Module classes in that file: {', '.join(candidates)}" if candidates else "define it in that file",
        )
    if not (isinstance(cls, type) and issubclass(cls, Module)):
        raise PluginError(
            f"{path}: '{class_name}' is not a subclass of luma_cli.nn.Module",
            hint=f"write `class {class_name}(Module):` with `from luma_cli.nn import Module`",
        )
    args = dict(loaded.config.model.args)
    if rng is not None and "rng" in _init_parameters(cls) and "rng" not in args:
        args["rng"] = rng
    model = call_user_code(path, f"in {class_name}.__init__", cls, in_features=in_features, **args)
    if not isinstance(model, Module) or "_parameters" not in vars(model):
        raise PluginError(f"{path}: {class_name}() did not initialize Module", hint="call super().__init__() first")
    model.plugin_path = path  # type: ignore[attr-defined]
    return model
