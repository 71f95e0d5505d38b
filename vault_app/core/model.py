"""Key entries and the validation every front end shares.

A ``KeyEntry`` is immutable. Front ends never build one directly from user
input: they call ``new_entry`` or ``edit_entry``, which trim, validate and
normalise every field, and raise ``ValidationError`` naming the field at fault.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from vault_app.core.errors import ValidationError
from vault_app.core.exchanges import CREDENTIAL_NAMES, CREDENTIAL_TITLES, Catalog
from vault_app.core.pem import pem_problem
from vault_app.core.plain_text import describe, first_unsafe

PERMISSIONS: tuple[str, ...] = ("read", "trade", "withdraw")
ENVIRONMENTS: tuple[str, ...] = ("live", "sandbox", "custom")
DEFAULT_ROTATE_DAYS = 90
MAX_ROTATE_DAYS = 3650
MAX_LABEL = 100
MAX_NOTES = 10_000
# A PEM private key is about 3 KiB; the CLI reads at most 64 KiB a line.
MAX_CREDENTIAL = 64 * 1024
MAX_IPS = 100
# Spec 6.2: a max_notional string holds at most this many digits (integer and fraction).
MAX_NOTIONAL_DIGITS = 36


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def format_ts(value: datetime) -> str:
    """RFC 3339, UTC, whole seconds, ``Z`` suffix (spec section 6)."""
    return value.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


# Spec section 6.2, the timestamp grammar: RFC 3339 date-time (its section 5.6), ASCII digits.
_CANONICAL_TS = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
_RFC3339_TS = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]+)?"
    r"(?:[Zz]|([+-])([0-9]{2}):([0-9]{2}))"
)


def parse_ts(text: str) -> datetime:
    """An RFC 3339 date-time as an aware UTC datetime, whole seconds (spec section 6.2).

    ``T``/``t`` between date and time, ``Z``/``z`` or a ``+hh:mm``/``-hh:mm`` offset,
    optional fractional seconds (dropped). No space separator, no leap second 60,
    nothing before year 1 or after year 9999 in UTC. Raises ValueError (or
    OverflowError at the ends of the range) and TypeError for a non-string.
    """
    if type(text) is not str:
        raise TypeError("a timestamp is text")
    if _CANONICAL_TS.fullmatch(text):  # what every writer of this format writes
        return datetime.fromisoformat(text)
    match = _RFC3339_TS.fullmatch(text)
    if match is None:
        raise ValueError("not an RFC 3339 date-time")
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    value = datetime(year, month, day, hour, minute, second, tzinfo=UTC)  # checks ranges
    sign, offset_hours, offset_minutes = match.groups()[6:]
    if sign is not None:
        if int(offset_hours) > 23 or int(offset_minutes) > 59:
            raise ValueError("time-zone offset out of range")
        offset = timedelta(hours=int(offset_hours), minutes=int(offset_minutes))
        value = value - offset if sign == "+" else value + offset
    return value


@dataclass(frozen=True)
class OldCredentials:
    """Credentials an entry held before a rotation (spec 6.2, schema 4), kept in its
    encrypted history until ``replaced_at`` is older than ``vault.history_days``."""

    credentials: Mapping[str, str]
    replaced_at: datetime

    def __repr__(self) -> str:  # the old credentials are secrets too
        return f"OldCredentials(replaced_at={format_ts(self.replaced_at)!r})"

    __str__ = __repr__


@dataclass(frozen=True)
class Verification:
    """What the exchange said of a key when last asked (spec 6.2, schema 4)."""

    at: datetime
    permissions: tuple[str, ...] = ()
    ip_restricted: bool | None = False
    """None: the exchange's answer did not say whether the key is IP-restricted."""
    ips: tuple[str, ...] = ()


@dataclass(frozen=True, eq=True)
class KeyEntry:
    id: str
    label: str
    exchange: str
    credentials: Mapping[str, str]
    permissions: tuple[str, ...] = ("read",)
    ip_whitelist: tuple[str, ...] = ()
    environment: str = "live"
    api_url: str | None = None
    created_at: datetime = field(default_factory=utcnow)
    rotated_at: datetime = field(default_factory=utcnow)
    # When the user last changed the entry's content (added, edited, rotated); a
    # recorded use (``last_used_at``) does not change it. Spec 6.2, schema 3.
    updated_at: datetime = field(default_factory=utcnow)
    last_used_at: datetime | None = None
    rotate_days: int = DEFAULT_ROTATE_DAYS
    notes: str = ""
    tags: tuple[str, ...] = ()
    # The most one order placed with this key may be worth, in US dollars (amount x
    # price on a USD-quoted market, see ``trading.order_limits``); None: no limit.
    max_notional: Decimal | None = None
    # Previous credentials, newest first, kept after a rotation (schema 4).
    credential_history: tuple[OldCredentials, ...] = field(default=(), repr=False)
    # What the exchange said of this key when last asked, or None (schema 4).
    verification: Verification | None = None
    # Keys of the stored JSON object this release does not know; written back as is.
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)
    # The stored JSON text of this very entry, kept so a save re-encodes only what
    # changed. init=False: dataclasses.replace() leaves it empty on the new entry.
    encoded: bytes | None = field(default=None, init=False, compare=False, repr=False)
    # The stored JSON object this entry was decoded from, set only when encoding it again
    # gives this very entry (schema.entry_from_dict decides): the first save encodes it
    # instead of rebuilding it from the fields, which costs twice as much.
    source: Mapping[str, Any] | None = field(default=None, init=False, compare=False,
                                             repr=False)

    def __repr__(self) -> str:  # never let a secret reach a log or a traceback
        return f"KeyEntry(id={self.id!r}, label={self.label!r}, exchange={self.exchange!r})"

    __str__ = __repr__

    @property
    def rotation_due_at(self) -> datetime:
        try:
            return self.rotated_at + timedelta(days=self.rotate_days)
        except OverflowError:  # a rotation date near year 9999
            return datetime.max.replace(tzinfo=UTC)

    def rotation_overdue(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) >= self.rotation_due_at

    def age_days(self, now: datetime | None = None) -> int:
        return ((now or utcnow()) - self.rotated_at).days

    @property
    def can_trade(self) -> bool:
        return "trade" in self.permissions

    @property
    def can_withdraw(self) -> bool:
        return "withdraw" in self.permissions


# --- field validation -----------------------------------------------------------


def _refuse_unsafe(text: str, what: str, field: str, *, notes: bool = False) -> None:
    """No terminal controls or bidi overrides (see ``core.plain_text``)."""
    char = first_unsafe(text, notes=notes)
    if char is not None:
        raise ValidationError(
            f"{what} contains the control character {describe(char)}; remove it", field=field)


def clean_label(label: str) -> str:
    label = " ".join(label.split())  # tabs and line breaks become spaces
    if not label:
        raise ValidationError("the label must not be empty", field="label")
    if len(label) > MAX_LABEL:
        raise ValidationError(f"the label is longer than {MAX_LABEL} characters", field="label")
    _refuse_unsafe(label, "the label", "label")
    return label


def clean_notes(notes: str) -> str:
    """Trimmed notes, line breaks as line feeds; tabs and bidi marks allowed."""
    notes = notes.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(notes) > MAX_NOTES:
        raise ValidationError(f"notes are longer than {MAX_NOTES} characters", field="notes")
    _refuse_unsafe(notes, "the notes", "notes", notes=True)
    return notes


def parse_permissions(value: str | Iterable[str]) -> tuple[str, ...]:
    """Accept ``"read,trade"`` or an iterable; return them in canonical order."""
    items = value.split(",") if isinstance(value, str) else list(value)
    wanted = {item.strip().lower() for item in items if item.strip()}
    unknown = wanted - set(PERMISSIONS)
    if unknown:
        raise ValidationError(
            f"unknown permission {', '.join(sorted(unknown))!s} "
            f"(choose from {', '.join(PERMISSIONS)})",
            field="permissions",
        )
    if not wanted:
        raise ValidationError("choose at least one permission", field="permissions")
    return tuple(p for p in PERMISSIONS if p in wanted)


def parse_ip(text: str) -> str:
    """One IPv4/IPv6 address or CIDR network, normalised."""
    import ipaddress  # imported on use: the CLI's `list` never needs it

    text = text.strip()
    try:
        if "/" in text:
            return str(ipaddress.ip_network(text, strict=True))
        return str(ipaddress.ip_address(text))
    except ValueError:
        if "/" in text:
            try:
                network = ipaddress.ip_network(text, strict=False)
            except ValueError:
                pass
            else:
                raise ValidationError(
                    f"'{text}' has host bits set; did you mean {network}?", field="ip_whitelist"
                ) from None
        raise ValidationError(
            f"'{text}' is not an IPv4/IPv6 address or CIDR network", field="ip_whitelist"
        ) from None


def parse_ip_list(value: str | Iterable[str]) -> tuple[str, ...]:
    items = value.replace("\n", ",").replace(" ", ",").split(",") if isinstance(value, str) \
        else list(value)
    result: list[str] = []
    for item in items:
        if item.strip():
            ip = parse_ip(item)
            if ip not in result:
                result.append(ip)
    if len(result) > MAX_IPS:
        raise ValidationError(f"at most {MAX_IPS} IP whitelist entries", field="ip_whitelist")
    return tuple(result)


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` is this computer: ``localhost`` or a loopback IP literal
    (127.0.0.0/8, ::1, ::ffff:127.x). Not ``*.localhost``: a resolver may send it anywhere."""
    import ipaddress

    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def clean_api_url(url: str) -> str:
    """A custom API URL as typed: https with a host (http only for a loopback host:
    the key, passphrase and signatures would otherwise cross the network in clear), a
    valid port, no credentials. A stored URL is not checked again on reading (spec 6.3);
    the client refuses to sign over plain http to another host."""
    from urllib.parse import urlsplit

    url = url.strip()
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:  # e.g. an unbalanced or invalid [IPv6] host
        hostname = None
    if hostname is None or parts.scheme not in ("https", "http"):
        raise ValidationError(
            f"'{url}' is not an http(s) URL with a host", field="api_url"
        )
    if parts.username or parts.password:
        raise ValidationError("the API URL must not contain credentials", field="api_url")
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0 or (port is None and parts.netloc.endswith(":")):
        raise ValidationError(f"'{url}' has no valid port (1 to 65535)", field="api_url")
    if parts.scheme == "http" and not is_loopback_host(hostname):
        raise ValidationError(
            f"'{url}' is plain http to another computer: the key and its signatures would "
            "cross the network unencrypted; use https (http only for 127.0.0.1 or localhost)",
            field="api_url")
    return url.rstrip("/")


def parse_tags(value: str | Iterable[str]) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else list(value)
    result: list[str] = []
    for item in items:
        tag = " ".join(item.split())
        _refuse_unsafe(tag, "a tag", "tags")
        if tag and tag not in result:
            result.append(tag)
    return tuple(result)


_DECIMAL_TEXT = re.compile(r"[0-9]+(?:\.[0-9]+)?")  # spec 6.2, ASCII digits only
_NOTIONAL_HELP = "give a positive amount such as 1000 or 2500.50, or leave it empty for no limit"


def notional_text_ok(text: str) -> bool:
    """Whether ``text`` is a max_notional string as spec 6.2 allows it in a file:
    ``[0-9]+(\\.[0-9]+)?``, at most MAX_NOTIONAL_DIGITS digits, above zero."""
    return (_DECIMAL_TEXT.fullmatch(text) is not None
            and len(text) - ("." in text) <= MAX_NOTIONAL_DIGITS
            and text.strip("0.") != "")


def notional_from_text(text: str) -> Decimal:
    """The value of a string ``notional_text_ok`` accepted, exactly as written
    (``100.0`` stays ``100.0``, so it is written back as it was read)."""
    return Decimal(text)


def format_notional(value: Decimal) -> str:
    """A max_notional as the file and the front ends write it: plain digits, no exponent."""
    return format(value, "f")


def describe_notional(value: Decimal | None) -> str:
    """A key's max_notional for a person: its unit (US dollars, see
    ``trading.order_limits``) and what it limits."""
    return "no limit" if value is None else f"{format_notional(value)} USD per order"


def parse_max_notional(value: str | Decimal | None) -> Decimal | None:
    """The maximum notional of one order, from what a person typed (or a Decimal).

    Empty text or None means no limit (None). Otherwise a positive, finite decimal
    written with digits and at most one point, no sign, exponent or separators, at
    most MAX_NOTIONAL_DIGITS digits; returned canonical (``2500.50`` -> ``2500.5``,
    ``1000`` stays ``1000``). Raises ValidationError (field ``max_notional``).
    """
    def refuse(why: str) -> ValidationError:
        return ValidationError(f"the maximum order notional {why}; {_NOTIONAL_HELP}",
                               field="max_notional")

    if value is None:
        return None
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise refuse("must be a finite number")
        if value and not -MAX_NOTIONAL_DIGITS <= value.adjusted() <= MAX_NOTIONAL_DIGITS:
            raise refuse(f"has more than {MAX_NOTIONAL_DIGITS} digits")
        text = format_notional(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise refuse("must be text")
    if not text:
        return None
    if text.startswith("-"):
        raise refuse("must not be negative")
    if not re.fullmatch(r"[0-9]*\.?[0-9]*", text) or text == ".":
        with contextlib.suppress(InvalidOperation, ValueError):
            if not Decimal(text).is_finite():
                raise refuse("must be a finite number")
        raise refuse(f"'{text}' must be written with digits and at most one point "
                     "(no exponent, sign or separators)")
    number = Decimal(text)
    if number == 0:
        raise refuse("must be more than zero")
    canonical = format_notional(number.normalize())
    if len(canonical) - ("." in canonical) > MAX_NOTIONAL_DIGITS:
        raise refuse(f"has more than {MAX_NOTIONAL_DIGITS} digits")
    return Decimal(canonical)


def check_rotate_days(days: int) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_ROTATE_DAYS:
        raise ValidationError(
            f"the rotation reminder must be 1 to {MAX_ROTATE_DAYS} days", field="rotate_days"
        )
    return days


_CREDENTIAL_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters no credential holds (a PEM key's line breaks and tabs are fine)."""


def clean_credentials(
    exchange: str, credentials: Mapping[str, str], catalog: Catalog
) -> dict[str, str]:
    """Trim every credential, refuse control characters (NUL, escape; not line breaks)
    and require exactly what the exchange needs."""
    unknown = set(credentials) - set(CREDENTIAL_NAMES)
    if unknown:
        raise ValidationError(
            f"unknown credential field {', '.join(sorted(unknown))}", field="credentials"
        )
    cleaned: dict[str, str] = {}
    for name in CREDENTIAL_NAMES:
        value = credentials.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise ValidationError(f"{CREDENTIAL_TITLES[name]} must be text", field=name)
        value = value.strip()
        if len(value) > MAX_CREDENTIAL:
            raise ValidationError(
                f"the {CREDENTIAL_TITLES[name]} is longer than {MAX_CREDENTIAL:,} characters; "
                "that is no API credential", field=name)
        control = _CREDENTIAL_CONTROL.search(value)
        if control:  # a NUL cannot even reach a bot's environment (execve)
            raise ValidationError(
                f"the {CREDENTIAL_TITLES[name]} contains the control character "
                f"{describe(control.group())}; remove it", field=name)
        if value:
            cleaned[name] = value
    if exchange in catalog:
        info = catalog.get(exchange)
        for name in info.required:
            if name not in cleaned:
                raise ValidationError(
                    f"{info.name} requires the {CREDENTIAL_TITLES[name]}, which is empty",
                    field=name,
                )
    if not cleaned:
        raise ValidationError("enter at least one credential", field="credentials")
    return cleaned


def check_pem_credentials(
    credentials: Mapping[str, str], stored: Mapping[str, str] | None = None
) -> None:
    """Refuse a cut-off PEM key. Values equal to ``stored`` (already saved) are not re-judged."""
    for name, value in credentials.items():
        if stored is not None and stored.get(name) == value:
            continue
        problem = pem_problem(value)
        if problem:
            raise ValidationError(f"the {CREDENTIAL_TITLES.get(name, name)} {problem}; "
                                  "paste the whole key or load the PEM file", field=name)


def check_environment(
    exchange: str, environment: str, api_url: str | None, catalog: Catalog
) -> tuple[str, str | None]:
    if environment not in ENVIRONMENTS:
        raise ValidationError(
            f"unknown environment '{environment}' (choose from {', '.join(ENVIRONMENTS)})",
            field="environment",
        )
    if environment == "custom":
        if not api_url:
            raise ValidationError("a custom environment needs an API URL", field="api_url")
        return environment, clean_api_url(api_url)
    if environment == "sandbox" and exchange in catalog and not catalog.get(exchange).has_sandbox:
        raise ValidationError(
            f"{catalog.get(exchange).name} has no sandbox environment in ccxt",
            field="environment",
        )
    return environment, None


_ALWAYS_CHECKED = frozenset({"label", "notes", "tags"})


def validate(entry: KeyEntry, catalog: Catalog, *, exchange_must_exist: bool = True,
             fields: Collection[str] | None = None) -> KeyEntry:
    """Return ``entry`` with every field cleaned, or raise ValidationError.

    ``exchange_must_exist`` is False only when editing a stored key whose
    exchange has since left ccxt: it stays editable, its exchange unchanged.
    ``fields`` (an edit, see ``edit_entry``) limits the checks to those fields and
    the ones that depend on them; the others keep their stored values, which a
    file from another writer may hold in forms this release refuses as input
    (spec 6.3: unknown credential names, an empty custom API URL, ...). The text
    a person reads, label, notes and tags, is always checked: a control character
    there must be fixed on the next save, and the same edit can fix it.
    """
    def touched(*names: str) -> bool:
        return fields is None or any(name in fields for name in names)

    cleaned: dict[str, Any] = {}
    exchange = entry.exchange
    if touched("exchange"):
        exchange = cleaned["exchange"] = exchange.strip().lower()
        if exchange_must_exist:
            catalog.get(exchange)  # raises with a suggestion when unknown
    if touched("exchange", "environment", "api_url"):
        cleaned["environment"], cleaned["api_url"] = check_environment(
            exchange, entry.environment, entry.api_url, catalog)
    if touched("exchange", "credentials"):
        cleaned["credentials"] = clean_credentials(exchange, entry.credentials, catalog)
    for name, clean in (("label", clean_label), ("permissions", parse_permissions),
                        ("ip_whitelist", parse_ip_list), ("rotate_days", check_rotate_days),
                        ("notes", clean_notes), ("tags", parse_tags),
                        ("max_notional", parse_max_notional)):
        if touched(name) or name in _ALWAYS_CHECKED:
            cleaned[name] = clean(getattr(entry, name))
    return replace(entry, **cleaned)


def new_entry(
    *,
    label: str,
    exchange: str,
    credentials: Mapping[str, str],
    catalog: Catalog,
    permissions: str | Iterable[str] = ("read",),
    ip_whitelist: str | Iterable[str] = (),
    environment: str = "live",
    api_url: str | None = None,
    rotate_days: int = DEFAULT_ROTATE_DAYS,
    notes: str = "",
    tags: str | Iterable[str] = (),
    max_notional: str | Decimal | None = None,
    now: datetime | None = None,
) -> KeyEntry:
    import uuid

    now = now or utcnow()
    draft = KeyEntry(
        id=str(uuid.uuid4()),
        label=label,
        exchange=exchange,
        credentials=dict(credentials),
        permissions=parse_permissions(permissions),
        ip_whitelist=parse_ip_list(ip_whitelist),
        environment=environment,
        api_url=api_url,
        created_at=now,
        rotated_at=now,
        updated_at=now,
        rotate_days=rotate_days,
        notes=notes,
        tags=parse_tags(tags),
        max_notional=parse_max_notional(max_notional),
    )
    entry = validate(draft, catalog)
    check_pem_credentials(entry.credentials)
    return entry


EDITABLE_FIELDS = frozenset({
    "label", "exchange", "credentials", "permissions", "ip_whitelist",
    "environment", "api_url", "rotate_days", "notes", "tags", "max_notional",
})


def edit_entry(
    entry: KeyEntry, changes: Mapping[str, Any], catalog: Catalog, now: datetime | None = None
) -> KeyEntry:
    """Apply user edits. New credentials mark the key as rotated now (the previous
    ones go to its ``credential_history``), and any change as updated now
    (``updated_at``); an edit that changes nothing leaves both."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(f"these fields cannot be edited: {', '.join(sorted(unknown))}")
    updates = dict(changes)
    for name, parser in (("permissions", parse_permissions), ("ip_whitelist", parse_ip_list),
                         ("tags", parse_tags), ("max_notional", parse_max_notional)):
        if name in updates:
            updates[name] = parser(updates[name])
    if updates.get("environment", entry.environment) != "custom" and entry.api_url is not None:
        updates["api_url"] = None
    exchange_changed = updates.get("exchange", entry.exchange) != entry.exchange
    # Only what the edit changes is checked: a field another writer stored in a form
    # this release would refuse as input must not make the whole entry uneditable.
    candidate = validate(replace(entry, **updates), catalog, fields=set(updates),
                         exchange_must_exist=exchange_changed or entry.exchange in catalog)
    moment = now or utcnow()
    if candidate.credentials != entry.credentials:
        check_pem_credentials(candidate.credentials, stored=entry.credentials)
        # The replaced credentials stay in the history (schema 4), like a rotation's;
        # the old key's verification goes: it would vouch for (or accuse) the new key.
        old = OldCredentials(credentials=dict(entry.credentials), replaced_at=moment)
        candidate = replace(candidate, rotated_at=moment, verification=None,
                            credential_history=(old, *entry.credential_history))
    if candidate != entry:  # compares every field but the unknown members (extra)
        candidate = replace(candidate, updated_at=moment)
    return candidate


def identity_credential(entry: KeyEntry) -> tuple[str, str] | None:
    """The credential that identifies the account key, for duplicate detection."""
    for name in ("apiKey", "privateKey"):
        value = entry.credentials.get(name)
        if value:
            return name, value
    return None


def mask(value: str) -> str:
    """Mask a secret completely; its length is not revealed either."""
    return "•" * 8 if value else ""


def mask_identifier(value: str) -> str:
    """Show enough of a non-secret identifier (an API key) to recognise it."""
    if len(value) <= 8:
        return "•" * 8
    return f"{value[:4]}…{value[-4:]}"
