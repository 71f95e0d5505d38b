"""KeePassXC's CSV export (Database > Export > CSV): Title -> label, Username -> API key,
Password -> secret. The exchange is taken from an ``Exchange`` column if present, else
from the URL's host (``https://www.binance.com`` -> binance), else from a word of the
title or the group; when none is one the catalog knows, the caller asks."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from vault_app.core.importers.common import Candidate, ImportFileError
from vault_app.core.importers.csv_file import columns, rows

_NEEDED = ("Title", "Username", "Password")


def _hints(cells: dict[str, str]) -> tuple[str, ...]:
    hints: list[str] = []
    if cells.get("Exchange", "").strip():
        hints.append(cells["Exchange"].strip())
    url = cells.get("URL", "").strip()
    if url:
        host = urlsplit(url if "//" in url else "//" + url).hostname or ""
        hints.extend(part for part in host.split(".") if part not in ("www", "api"))
    for text in (cells.get("Title", ""), cells.get("Group", "")):
        hints.extend(word.lower() for word in re.split(r"[^A-Za-z0-9]+", text) if word)
    return tuple(dict.fromkeys(h.lower() for h in hints))


def parse(text: str) -> list[Candidate]:
    header, body = rows(text)
    missing = [name for name in _NEEDED if name not in header]
    if missing:
        raise ImportFileError(f"not a KeePassXC CSV export: no {', '.join(missing)} column",
                              line=1)
    candidates = []
    for line, row in body:
        cells = columns(header, row, line)
        if not cells["Username"].strip() and not cells["Password"].strip():
            continue  # a group or note with no key
        credentials = {"apiKey": cells["Username"], "secret": cells["Password"]}
        stated = bool(cells.get("Exchange", "").strip())
        candidates.append(Candidate(line, cells["Title"].strip(), _hints(cells), credentials,
                                    stated=stated))
    if not candidates:
        raise ImportFileError("the export holds no entry with a username and a password",
                              line=1)
    return candidates
