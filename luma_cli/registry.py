"""Registry: names in configs resolve to classes or functions at one choke point."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Generic, TypeVar

from luma_cli.errors import ConfigError

T = TypeVar("T")


def did_you_mean(word: str, choices: list[str]) -> str:
    """` (did you mean 'x'?)` for the closest choice, or an empty string."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class Registry(Generic[T]):
    """A named table of components: `@REG.register("relu")` beside a definition, `REG.get(name)`."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}

    def register(self, *names: str) -> Callable[[T], T]:
        def add(entry: T) -> T:
            for name in names:
                if name in self._entries:
                    raise ValueError(f"{self.kind} '{name}' is registered twice")
                self._entries[name] = entry
            return entry

        return add

    def get(self, name: str) -> T:
        """The entry called `name`; an unknown name is a ConfigError listing the choices."""
        try:
            return self._entries[name]
        except KeyError:
            raise ConfigError(
                f"unknown {self.kind} '{name}'{did_you_mean(name, self.names())}",
                hint=f"choose one of: {', '.join(self.names())}",
            ) from None

    def names(self) -> list[str]:
        return sorted(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries
