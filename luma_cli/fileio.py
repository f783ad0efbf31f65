"""Atomic file writes: a temp file in the same directory, fsync, then os.replace.

A reader sees the old file or the new one, never half of one. Failures (disk full, permission
denied) raise LumaIOError and leave no temp file behind.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from luma_cli.errors import LumaIOError


def _file_mode() -> int:
    """0o666 minus the process umask: what open() would have given (mkstemp gives 0o600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


_MODE = _file_mode()


def write_atomic(path: str | os.PathLike[str], write: Callable[[IO[bytes]], None]) -> None:
    """Call `write(file)` on a temp file beside `path`, then atomically move it into place.

    Only regular files are replaced: a device, pipe or symlink to one (`/dev/stdout`, a FIFO) is
    written in place, since renaming over it would destroy it.
    """
    target = Path(path)
    if _is_special(target):
        _write_in_place(target, write)
        return
    fd = -1
    tmp = ""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.fchmod(fd, _MODE)
        with os.fdopen(fd, "wb") as handle:
            fd = -1
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
        tmp = ""
        _fsync_directory(target.parent)
    except OSError as exc:
        raise LumaIOError(f"cannot write {target}: {_describe(exc)}", hint=_hint(exc)) from None
    finally:
        if fd >= 0:
            os.close(fd)
        if tmp:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _is_special(target: Path) -> bool:
    try:
        return target.exists() and not target.resolve().is_file()
    except OSError:
        return False


def _write_in_place(target: Path, write: Callable[[IO[bytes]], None]) -> None:
    try:
        with open(target, "wb") as handle:
            write(handle)
    except OSError as exc:
        raise LumaIOError(f"cannot write {target}: {_describe(exc)}", hint=_hint(exc)) from None


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    write_atomic(path, lambda handle: handle.write(text.encode("utf-8")))


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _describe(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _hint(exc: OSError) -> str | None:
    if exc.errno == errno.ENOSPC:
        return "free some disk space; the previous file was left intact"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "choose a writable location (for runs: --run-dir)"
    return None


def ensure_writable_directory(directory: Path) -> None:
    """Create `directory` (and parents) and prove a file can be written there, before any work."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=directory, prefix=".write-test.", delete=True)
        probe.close()
    except OSError as exc:
        raise LumaIOError(f"cannot write to {directory}: {_describe(exc)}", hint=_hint(exc)) from None
