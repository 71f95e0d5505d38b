"""freqtrade ``config.json``: the ``exchange`` block (name, key, secret, password, uid)."""

from __future__ import annotations

import json

from vault_app.core import strict_json
from vault_app.core.importers.common import Candidate, ImportFileError

_FIELDS = {"key": "apiKey", "secret": "secret", "password": "password", "uid": "uid"}


def _line_of_error(text: str) -> int | None:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return exc.lineno
    except (ValueError, RecursionError):
        return None
    return None


def _line_of(text: str, name: str) -> int:
    index = text.find(f'"{name}"')
    return text.count("\n", 0, index) + 1 if index >= 0 else 1


def parse(text: str) -> list[Candidate]:
    try:
        document = strict_json.parse(text.encode("utf-8"))
    except strict_json.NotJson as exc:
        raise ImportFileError(f"not a freqtrade config: {exc}",
                              line=_line_of_error(text)) from None
    if strict_json.too_deep(document):
        raise ImportFileError("not a freqtrade config: it nests too deeply")
    block = document.get("exchange") if isinstance(document, dict) else None
    line = _line_of(text, "exchange")
    if not isinstance(block, dict):
        raise ImportFileError("no \"exchange\" object, so no key to import", line=line,
                              field="exchange")
    name = block.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ImportFileError("the exchange has no \"name\"", line=line, field="name")
    credentials: dict[str, str] = {}
    for key, credential in _FIELDS.items():
        value = block.get(key)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise ImportFileError("must be text", line=_line_of(text, key), field=key)
        credentials[credential] = value
    if not credentials.get("apiKey"):
        raise ImportFileError("the exchange block has no \"key\"", line=line, field="key")
    return [Candidate(line, f"freqtrade {name.strip()}", (name,), credentials,
                      permissions="read,trade", stated=True)]
