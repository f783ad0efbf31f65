"""YAML to plain data with the line and column of every key and value, under one strict rule.

Built on PyYAML's safe composer. The rule for plain (unquoted) scalars, which avoids YAML 1.1's
silent coercions:
  * `true`/`false` are booleans and `null`/`~`/empty is null (any case);
  * decimal integers and floats (`10`, `-3`, `0.5`, `1e-3`, `.5`, `.inf`) are numbers;
  * `yes`, `no`, `on`, `off`, `y`, `n`, integers with a leading zero (`017`), sexagesimal
    (`1:30`), hex/octal/binary (`0x1f`) and `1_000` are refused: write what you mean, or quote it;
  * anything else is a string. Quoted scalars are always strings.
Duplicate keys, tags other than the standard ones, alias expansion past a size limit and
nesting past a depth limit are refused too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from luma_cli.errors import ConfigError

MAX_NODES = 100_000
MAX_DEPTH = 64
Path = tuple[Any, ...]

_BOOLS = {"true": True, "false": False}
_NULLS = {"", "~", "null"}
_AMBIGUOUS_WORDS = {"yes", "no", "on", "off", "y", "n"}
_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_SPECIAL_FLOATS = {".inf": float("inf"), "+.inf": float("inf"), "-.inf": float("-inf"), ".nan": float("nan")}
_YAML11_NUMBER = re.compile(
    r"[-+]?(0[0-9_]+|0[xob][0-9a-fA-F_]+|[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?|[0-9][0-9_]*_[0-9_]*(\.[0-9_]*)?)"
)
_STANDARD_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


@dataclass(frozen=True)
class Mark:
    line: int
    column: int


@dataclass
class YamlDocument:
    """The data, and for each path (tuple of keys and indices) where its key and its value sit."""

    data: Any
    value_marks: dict[Path, Mark]
    key_marks: dict[Path, Mark]

    def mark_for(self, path: Path, prefer_key: bool = False) -> Mark | None:
        while True:
            table = (self.key_marks, self.value_marks) if prefer_key else (self.value_marks, self.key_marks)
            for marks in table:
                if path in marks:
                    return marks[path]
            if not path:
                return None
            path = path[:-1]


def _mark(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.nodes = 0
        self.value_marks: dict[Path, Mark] = {}
        self.key_marks: dict[Path, Mark] = {}

    def fail(self, node: yaml.Node, message: str, hint: str | None = None) -> ConfigError:
        mark = _mark(node)
        return ConfigError(f"{self.filename}:{mark.line}:{mark.column}: {message}", hint=hint)

    def build(self, node: yaml.Node, path: Path, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.fail(node, f"the document expands to more than {MAX_NODES} values (alias bomb?)")
        if depth > MAX_DEPTH:
            raise self.fail(node, f"the document nests deeper than {MAX_DEPTH} levels")
        self.value_marks.setdefault(path, _mark(node))
        if node.tag not in _STANDARD_TAGS:
            raise self.fail(node, f"tag '{node.tag}' is not allowed", hint="Luma configs use plain YAML values only")
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        return self.scalar(node)

    def mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_line: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self.fail(key_node, "merge keys ('<<') are not supported", hint="write the keys out")
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, "a key must be a plain name")
            key = key_node.value
            if key in first_line:
                raise self.fail(
                    key_node,
                    f"duplicate key '{key}' (first on line {first_line[key]})",
                    hint="remove one of them; YAML would silently keep only the last",
                )
            first_line[key] = _mark(key_node).line
            self.key_marks[path + (key,)] = _mark(key_node)
            result[key] = self.build(value_node, path + (key,), depth + 1)
        return result

    def scalar(self, node: yaml.ScalarNode) -> Any:
        text = node.value
        if node.style is not None or _explicit_str(node):
            return text  # quoted, block, or tagged !!str
        lowered = text.lower()
        if lowered in _NULLS:
            return None
        if lowered in _BOOLS:
            return _BOOLS[lowered]
        if lowered in _AMBIGUOUS_WORDS:
            raise self.fail(
                node, f"'{text}' is ambiguous in YAML",
                hint="write true or false for a yes/no setting, or quote it (\"" + text + "\") for text",
            )
        if _INT.fullmatch(text):
            return int(text)
        if _YAML11_NUMBER.fullmatch(text):
            raise self.fail(
                node, f"'{text}' is read differently by different YAML versions",
                hint="write a plain decimal number (e.g. 17, 90, 1000), or quote it for text",
            )
        if _FLOAT.fullmatch(text):
            return float(text)
        if lowered in _SPECIAL_FLOATS:
            return _SPECIAL_FLOATS[lowered]
        return text


_RESOLVER = yaml.resolver.Resolver()


def _explicit_str(node: yaml.ScalarNode) -> bool:
    """True for `!!str 10`: the node is a str although plain resolution would not make it one."""
    if node.tag != "tag:yaml.org,2002:str":
        return False
    return _RESOLVER.resolve(yaml.ScalarNode, node.value, (True, False)) != node.tag


def parse_yaml(text: str, filename: str) -> YamlDocument:
    """Parse one YAML document under the rule above; any problem is a ConfigError with file:line:col."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{filename}:{mark.line + 1}:{mark.column + 1}" if mark else filename
        problem = exc.problem or exc.context
        raise ConfigError(f"{where}: YAML syntax error: {problem}", hint="check indentation, colons and quotes") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{filename}: YAML error: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{filename}: the document nests too deeply") from None
    if root is None:
        raise ConfigError(f"{filename}: the config is empty", hint="see configs/quickstart.yaml for a complete example")
    builder = _Builder(filename)
    data = builder.build(root, (), 0)
    return YamlDocument(data=data, value_marks=builder.value_marks, key_marks=builder.key_marks)
