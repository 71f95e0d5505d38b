"""Read a small text file the user picked (a PEM key), safely.

A file picker can name anything: a FIFO (an ``open`` that never returns), a
device such as ``/dev/zero`` (a read that never ends), a link to one, or a huge
file. Only a regular file of at most ``limit`` bytes is read, without blocking
and without following a link swapped in after the path was resolved.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from vault_app.core.errors import NotARegularFile, ValidationError, VaultIOError
from vault_app.core.os_messages import kind_of

SMALL_TEXT_LIMIT = 64 * 1024
"""A PEM private key is a few KiB; nothing a user means to load is bigger."""

_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_NOCTTY | os.O_CLOEXEC


def read_small_text(path: Path, limit: int = SMALL_TEXT_LIMIT, kind: str = "key file") -> str:
    """The UTF-8 text of the regular file ``path``; see ``read_small_file``."""
    return read_small_file(path, limit, kind)[0]


def read_small_file(path: Path, limit: int = SMALL_TEXT_LIMIT,
                    kind: str = "key file") -> tuple[str, os.stat_result, bytes]:
    """The UTF-8 text, the ``fstat`` and the bytes of the regular file ``path`` (links
    resolved first); ``kind`` names what was expected in messages ("key file", "file to
    import").

    Raises:
        NotARegularFile: a FIFO, device, socket or folder (also behind a link).
        ValidationError: larger than ``limit`` bytes, or not UTF-8 text.
        VaultIOError: the file does not exist or cannot be read.
    """
    real = Path(os.path.realpath(path))
    shown = str(path) if real == Path(os.path.abspath(path)) else f"{path} (a link to {real})"
    try:
        fd = os.open(real, _FLAGS)
    except FileNotFoundError:
        raise VaultIOError(f"cannot read {shown}: there is no such file") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NotARegularFile(f"{shown} became a symbolic link while being opened; "
                                  "nothing was read") from None
        raise VaultIOError(f"cannot read {shown}: {exc.strerror or 'error'}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotARegularFile(f"{shown} is {kind_of(info.st_mode)}, not a {kind}; "
                                  "nothing was read")
        if info.st_size > limit:
            raise ValidationError(f"{shown} is {info.st_size:,} bytes, too large for a "
                                  f"{kind} (at most {limit // 1024} KiB); nothing was read")
        data = b""
        while len(data) <= limit:
            chunk = os.read(fd, limit + 1 - len(data))
            if not chunk:
                break
            data += chunk
    except OSError as exc:
        raise VaultIOError(f"cannot read {shown}: {exc.strerror or 'error'}") from None
    finally:
        os.close(fd)
    if len(data) > limit:  # grew since the fstat
        raise ValidationError(f"{shown} is too large for a {kind} (at most "
                              f"{limit // 1024} KiB); nothing was read")
    try:
        return data.decode("utf-8"), info, data
    except UnicodeDecodeError:
        raise ValidationError(f"{shown} is not a text file (not UTF-8)") from None
