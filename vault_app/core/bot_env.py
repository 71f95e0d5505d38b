"""What ``vault-app-cli run`` puts in a bot's environment: presets, ``--env NAME=FIELD``
mappings, and the ``--sandbox-only`` rule. Plain functions, no I/O.

A preset names variables for a key's credentials; an optional one (a passphrase, a
user id) is set only when the key has it, and removed from the inherited environment
when it does not. A ``--env`` mapping is always required: a key
without the field it names is refused, naming the field. FIELD is a ccxt credential name
(``apiKey``, ``secret``, ``password``, ``uid``, ``privateKey``...) or one of the key's
non-secret fields (``exchange``, ``label``, ``environment``, ``api_url``).

``--sandbox-only`` refuses a ``live`` key, and a ``custom`` one whose API URL is not on
this machine (loopback): a custom URL may well be a proxy in front of a live exchange,
while a loopback one is a local test exchange (the demo exchange) or a tunnel the user
set up on purpose.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from vault_app.core.errors import ValidationError
from vault_app.core.exchanges import CREDENTIAL_NAMES
from vault_app.core.model import KeyEntry


@dataclass(frozen=True)
class Variable:
    name: str
    field: str
    required: bool = True


# freqtrade reads FREQTRADE__SECTION__KEY variables over its config (its docs,
# "Environment variables"): exchange.key, .secret, .password, .uid.
PRESETS: dict[str, tuple[Variable, ...]] = {
    "freqtrade": (
        Variable("FREQTRADE__EXCHANGE__KEY", "apiKey"),
        Variable("FREQTRADE__EXCHANGE__SECRET", "secret"),
        Variable("FREQTRADE__EXCHANGE__PASSWORD", "password", required=False),
        Variable("FREQTRADE__EXCHANGE__UID", "uid", required=False),
    ),
    "generic": (
        Variable("API_KEY", "apiKey"),
        Variable("API_SECRET", "secret"),
        Variable("API_PASSWORD", "password", required=False),
    ),
}

PUBLIC_FIELDS: tuple[str, ...] = ("exchange", "label", "environment", "api_url")
FIELDS: tuple[str, ...] = CREDENTIAL_NAMES + PUBLIC_FIELDS
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class BotEnvRefused(ValidationError):
    """The mapping or the key does not allow the run; nothing was started."""


def parse_mapping(text: str) -> Variable:
    """One ``--env NAME=FIELD``; a BotEnvRefused names what is wrong."""
    name, sep, field = text.partition("=")
    if not sep:
        raise BotEnvRefused(f"--env '{text}' is not NAME=FIELD", field="env")
    if not _ENV_NAME.match(name):
        raise BotEnvRefused(
            f"'{name}' is not a valid environment variable name (letters, digits and _, "
            "not starting with a digit)", field="env")
    if field not in FIELDS:
        raise BotEnvRefused(
            f"unknown field '{field}' for {name} (choose from {', '.join(FIELDS)})",
            field="env")
    return Variable(name, field)


def plan(preset: str | None, mappings: Sequence[str]) -> tuple[Variable, ...]:
    """The variables a run sets, preset first; a name set twice is refused."""
    if preset is not None and preset not in PRESETS:
        raise BotEnvRefused(
            f"unknown preset '{preset}' (choose from {', '.join(PRESETS)})", field="preset")
    variables = list(PRESETS[preset]) if preset else []
    variables += [parse_mapping(text) for text in mappings]
    if not variables:
        raise BotEnvRefused("nothing to put in the environment: give --preset or --env",
                            field="env")
    seen: set[str] = set()
    for variable in variables:
        if variable.name in seen:
            raise BotEnvRefused(f"{variable.name} is set twice", field="env")
        seen.add(variable.name)
    return tuple(variables)


def field_value(entry: KeyEntry, field: str) -> str | None:
    if field in PUBLIC_FIELDS:
        value = getattr(entry, field)
        return None if value is None else str(value)
    return entry.credentials.get(field) or None


def environment_for(entry: KeyEntry, variables: Sequence[Variable]) -> dict[str, str]:
    """The variables' values from the key; a required field it lacks is refused."""
    values: dict[str, str] = {}
    for variable in variables:
        value = field_value(entry, variable.field)
        if value is None:
            if variable.required:
                raise BotEnvRefused(
                    f"key '{entry.label}' has no {variable.field} (needed for "
                    f"{variable.name})", field=variable.field)
            continue
        if "\0" in value:  # cannot be passed through execve
            raise BotEnvRefused(f"{variable.field} of key '{entry.label}' contains a NUL "
                                "character", field=variable.field)
        values[variable.name] = value
    return values


def is_loopback_url(url: str | None) -> bool:
    host = urlsplit(url or "").hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_sandbox_only(entry: KeyEntry) -> None:
    """``--sandbox-only``: a sandbox key, or a custom one on a loopback URL."""
    if entry.environment == "sandbox":
        return
    if entry.environment == "custom" and is_loopback_url(entry.api_url):
        return
    where = "live" if entry.environment == "live" else \
        f"custom ({entry.api_url}, not on this machine)"
    raise BotEnvRefused(
        f"--sandbox-only: key '{entry.label}' is a {where} key; nothing was started",
        field="environment")


def merged(parent: Mapping[str, str], values: Mapping[str, str],
           variables: Sequence[Variable]) -> dict[str, str]:
    """The child's environment: the parent's without any of ``variables`` (they belong
    to the key: an optional one the key lacks must not come from the parent, say
    another key's passphrase), then the key's values."""
    owned = {variable.name for variable in variables}
    env = {name: value for name, value in parent.items() if name not in owned}
    env.update(values)
    return env
