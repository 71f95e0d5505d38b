"""read_small_text: only a small regular UTF-8 file is read; nothing blocks or floods."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vault_app.core.errors import NotARegularFile, ValidationError, VaultIOError
from vault_app.core.small_files import SMALL_TEXT_LIMIT, read_small_text

PEM = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n"


def test_a_small_text_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "key.pem"
    path.write_text(PEM, encoding="utf-8")
    assert read_small_text(path) == PEM


def test_a_link_to_a_small_file_is_followed(tmp_path: Path) -> None:
    (tmp_path / "key.pem").write_text(PEM, encoding="utf-8")
    (tmp_path / "link.pem").symlink_to(tmp_path / "key.pem")
    assert read_small_text(tmp_path / "link.pem") == PEM


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "key.pem"
    os.mkfifo(fifo)  # no writer: a plain open() would wait for ever
    with pytest.raises(NotARegularFile, match="FIFO"):
        read_small_text(fifo)


def test_dev_zero_behind_a_link_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "key.pem"
    link.symlink_to("/dev/zero")
    with pytest.raises(NotARegularFile, match="character device"):
        read_small_text(link)


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NotARegularFile, match="folder"):
        read_small_text(tmp_path)


def test_a_file_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.pem"
    path.write_bytes(b"A" * (SMALL_TEXT_LIMIT + 1))
    with pytest.raises(ValidationError, match="too large"):
        read_small_text(path)
    path.write_bytes(b"A" * SMALL_TEXT_LIMIT)
    assert len(read_small_text(path)) == SMALL_TEXT_LIMIT


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "key.der"
    path.write_bytes(b"\x30\x82\xff\xfe binary")
    with pytest.raises(ValidationError, match="not a text file"):
        read_small_text(path)


def test_a_missing_file_is_an_io_error(tmp_path: Path) -> None:
    with pytest.raises(VaultIOError, match="no such file"):
        read_small_text(tmp_path / "gone.pem")
