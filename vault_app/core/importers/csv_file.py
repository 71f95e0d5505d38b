"""CSV with a header row naming the columns (any order; the first four are required):

    label,exchange,apiKey,secret,password,permissions,ip

``permissions`` and ``ip`` hold lists separated by ``,`` or ``;`` (read;trade). One
key per row; empty rows are ignored.
"""

from __future__ import annotations

import csv
import io

from vault_app.core.importers.common import Candidate, ImportFileError

REQUIRED = ("label", "exchange", "apiKey", "secret")
OPTIONAL = ("password", "permissions", "ip")


def rows(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the non-empty rows with their first line; ImportFileError on
    a malformed CSV (an open quote). A NUL byte is read as text (Python >= 3.11): the
    credential check refuses it with its line."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    out: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    try:
        start = 1
        for row in reader:
            if any(cell.strip() for cell in row):
                if header is None:
                    header = [cell.strip() for cell in row]
                else:
                    out.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFileError(f"not a valid CSV ({exc})", line=reader.line_num) from None
    if header is None:
        raise ImportFileError("the file is empty", line=1)
    return header, out


def columns(header: list[str], row: list[str], line: int) -> dict[str, str]:
    if len(row) != len(header):
        raise ImportFileError(f"{len(row)} fields where the header has {len(header)}",
                              line=line)
    return dict(zip(header, row, strict=True))


def parse(text: str) -> list[Candidate]:
    header, body = rows(text)
    missing = [name for name in REQUIRED if name not in header]
    unknown = [name for name in header if name not in REQUIRED + OPTIONAL]
    if missing or unknown:
        raise ImportFileError(
            "the header must name the columns " + ",".join(REQUIRED + OPTIONAL)
            + (f"; missing {', '.join(missing)}" if missing else "")
            + (f"; unknown {', '.join(unknown)}" if unknown else ""), line=1)
    candidates = []
    for line, row in body:
        cells = columns(header, row, line)
        credentials = {"apiKey": cells["apiKey"], "secret": cells["secret"]}
        if cells.get("password"):
            credentials["password"] = cells["password"]
        exchange = cells["exchange"].strip()
        candidates.append(Candidate(
            line, cells["label"].strip(), (exchange,) if exchange else (), credentials,
            permissions=cells.get("permissions", "").replace(";", ","),
            ips=cells.get("ip", "").replace(";", ","), stated=True))
    if not candidates:
        raise ImportFileError("the file has a header and no key", line=1)
    return candidates
