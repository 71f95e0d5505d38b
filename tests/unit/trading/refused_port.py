"""A loopback URL whose connections are refused, for as long as the test needs it."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator


@contextlib.contextmanager
def refused_url() -> Iterator[str]:
    """``http://127.0.0.1:PORT`` of a socket bound but never listening, kept open until
    the block ends: a connection to it is refused (RST), and no other server can take
    the port meanwhile (a port closed and reused could be)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
