"""``.env`` files: ``NAME=value`` lines (``export`` prefix, quotes, ``#`` comments).

Names recognised: ``<PREFIX>_API_KEY``, ``_API_SECRET`` / ``_SECRET_KEY`` / ``_SECRET``,
``_PASSPHRASE`` / ``_PASSWORD`` / ``_API_PASSPHRASE`` / ``_API_PASSWORD``, ``_UID``, and the
same without a prefix (``API_KEY``, ``API_SECRET`` ...), and freqtrade's own
(``FREQTRADE__EXCHANGE__KEY``, ``__SECRET``, ``__PASSWORD``, ``__UID``, ``__NAME``). A
prefix names the exchange (``BINANCE_API_KEY``); a prefix the catalog does not know is
another service's key (``TWILIO_API_KEY``, ``OPENAI_API_KEY``) and ``common.plan`` skips
it and says so. Names without a prefix take ``EXCHANGE=binance`` in the file, else the
caller asks (``ExchangeNeeded`` from ``common.plan``). Other lines are ignored.
"""

from __future__ import annotations

import re

from vault_app.core.importers.common import Candidate, ImportFileError

_LINE = re.compile(r"(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)")
_SUFFIXES = (("API_PASSPHRASE", "password"), ("API_PASSWORD", "password"),
             ("API_SECRET", "secret"), ("SECRET_KEY", "secret"), ("API_KEY", "apiKey"),
             ("PASSPHRASE", "password"), ("PASSWORD", "password"), ("SECRET", "secret"),
             ("API_UID", "uid"), ("UID", "uid"))


def _value(raw: str, line: int) -> str:
    raw = raw.strip()
    if raw[:1] in ("'", '"'):
        quote = raw[0]
        end = raw.find(quote, 1)
        if end < 0:
            raise ImportFileError(f"the value opens a {quote} quote it never closes",
                                  line=line)
        rest = raw[end + 1:].strip()
        if rest and not rest.startswith("#"):
            raise ImportFileError("text after the closing quote", line=line)
        return raw[1:end]
    return re.split(r"\s+#", raw, maxsplit=1)[0].strip()


_FREQTRADE = "FREQTRADE__EXCHANGE__"
_FREQTRADE_NAMES = {"KEY": "apiKey", "SECRET": "secret", "PASSWORD": "password", "UID": "uid"}


def _split(name: str) -> tuple[str, str] | None:
    upper = name.upper()
    if upper.startswith(_FREQTRADE):
        credential = _FREQTRADE_NAMES.get(upper[len(_FREQTRADE):])
        return ("FREQTRADE", credential) if credential else None
    for suffix, credential in _SUFFIXES:
        if upper == suffix:
            return "", credential
        if upper.endswith("_" + suffix):
            return upper[: -len(suffix) - 1], credential
    return None


def parse(text: str) -> list[Candidate]:
    groups: dict[str, dict[str, str]] = {}
    first_line: dict[str, int] = {}
    named_exchange: str | None = None
    freqtrade_exchange: str | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _LINE.fullmatch(stripped)
        if match is None:
            raise ImportFileError("not a NAME=value line", line=number)
        name, value = match.group(1), _value(match.group(2), number)
        if name.upper() == "EXCHANGE":
            named_exchange = value.strip() or None
            continue
        if name.upper() == _FREQTRADE + "NAME":
            freqtrade_exchange = value.strip() or None
            continue
        split = _split(name)
        if split is None or not value:
            continue
        prefix, credential = split
        group = groups.setdefault(prefix, {})
        if credential in group:
            raise ImportFileError(f"{name} is given twice", line=number, field=name)
        group[credential] = value
        first_line.setdefault(prefix, number)
    candidates = []
    for prefix, credentials in groups.items():
        if "apiKey" not in credentials:
            continue  # a lone SECRET or PASSWORD is no exchange key
        named = freqtrade_exchange if prefix == "FREQTRADE" else None
        hints = tuple(h for h in (named, prefix.lower(), named_exchange) if h)
        label = f"{prefix.lower() or named_exchange or 'key'} (.env)"
        candidates.append(Candidate(first_line[prefix], label, hints, credentials,
                                    prefix="" if prefix == "FREQTRADE" else prefix))
    if not candidates:
        raise ImportFileError("no API key found (looked for names such as BINANCE_API_KEY "
                              "or API_KEY)")
    return candidates
