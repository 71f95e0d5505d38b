"""``vault-app-cli``: the scriptable front end over the vault core.

Secrets never come from argv. On a terminal they are prompted without echo;
otherwise each prompt reads one line of standard input, in this order:

- master password (``passwd``: old password, then new password; ``init``: the
  new password twice);
- for ``add`` (and ``edit --rotate``): each credential the exchange requires,
  in ccxt's order (apiKey, secret, uid, accountId, login, password, twofa,
  privateKey, walletAddress, token).

A PEM private key spans several lines: when a value starts with ``-----BEGIN``,
lines are read up to and including the ``-----END`` line.

Exit codes are a stable contract; see ``EXIT_CODES`` and the README.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from itertools import chain
from pathlib import Path
from typing import IO, Any, NoReturn, TextIO, cast

from vault_app import __version__
from vault_app.core import errors
from vault_app.core.exchanges import CREDENTIAL_TITLES, SECRET_CREDENTIALS, load_catalog
from vault_app.core.model import (
    KeyEntry,
    check_rotate_days,
    clean_api_url,
    clean_label,
    format_ts,
    mask,
    mask_identifier,
    new_entry,
    parse_ip_list,
    parse_permissions,
    parse_tags,
    utcnow,
)
from vault_app.core.paths import default_vault_path
from vault_app.core.plain_text import BIDI_MARKS, any_unsafe, escape

PROG = "vault-app-cli"

EXIT_OK = 0
EXIT_USAGE = 1
EXIT_WRONG_PASSWORD = 2
EXIT_DAMAGED = 3
EXIT_IN_USE = 4
EXIT_IO = 5
EXIT_NO_MEMORY = 6
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130

EXIT_CODES: tuple[tuple[type[BaseException], int], ...] = (
    (errors.WrongPassword, EXIT_WRONG_PASSWORD),
    (errors.VaultDamaged, EXIT_DAMAGED),
    (errors.UnsupportedVersion, EXIT_DAMAGED),
    (errors.KdfParamsOutOfRange, EXIT_DAMAGED),
    (errors.VaultInUse, EXIT_IN_USE),
    (errors.VaultIOError, EXIT_IO),
    (errors.KdfMemoryUnavailable, EXIT_NO_MEMORY),
    (errors.VaultError, EXIT_USAGE),
)

# A line of standard input longer than this is refused (``< /dev/zero`` must not
# fill the memory). A PEM key is read line by line, each far shorter.
MAX_INPUT_LINE = 64 * 1024

NO_MEMORY_MESSAGE = ("out of memory; nothing was written (saves are atomic, the vault "
                     "file is intact). Close other programs and try again")


class UsageError(errors.VaultError):
    pass


class OutputError(errors.VaultIOError):
    """Standard output refused a write (``> /dev/full``, a closed descriptor)."""


# --- prompting -------------------------------------------------------------------


class Prompter:
    """Reads secrets: without echo on a terminal, one line each otherwise."""

    def __init__(self, stdin: IO[str] | None, stderr: IO[str]) -> None:
        self.stdin = stdin  # None: standard input was closed (``<&-``)
        self.stderr = stderr
        try:
            self.interactive = stdin is not None and stdin.isatty()
        except (OSError, ValueError):
            self.interactive = False
        self._line = 0

    def _read(self, prompt: str, what: str) -> str:
        self._line += 1
        if self.stdin is None:
            raise UsageError(f"standard input is closed; {what} is read from it")
        try:
            if self.interactive:
                value = getpass.getpass(prompt, stream=cast(TextIO, self.stderr))
            else:
                line = self.stdin.readline(MAX_INPUT_LINE + 1)
                if not line:
                    raise UsageError(
                        f"expected {what} on standard input (line {self._line}), "
                        "got end of input"
                    )
                if len(line) > MAX_INPUT_LINE:
                    raise UsageError(
                        f"line {self._line} of standard input ({what}) is longer than "
                        f"{MAX_INPUT_LINE} characters")
                value = line.rstrip("\r\n")
            value.encode("utf-8")  # undecodable bytes arrive as lone surrogates
        except (UnicodeDecodeError, UnicodeEncodeError):
            raise UsageError(
                f"{what} on standard input (line {self._line}) is not valid UTF-8"
            ) from None
        except OSError as exc:  # e.g. ``< some/folder``
            raise UsageError(
                f"cannot read {what} from standard input ({exc.strerror or exc})"
            ) from None
        return value

    def password(self, prompt: str = "Master password: ",
                 what: str = "the master password") -> str:
        return self._read(prompt, what)

    def new_password(self, prompt: str = "New master password: ") -> tuple[str, str | None]:
        """A new password; on a terminal it is asked twice."""
        first = self._read(prompt, "the new master password")
        if not self.interactive:
            return first, None
        return first, self._read("Repeat it: ", "the new master password again")

    def credential(self, name: str, exchange_name: str) -> str:
        title = CREDENTIAL_TITLES.get(name, name)
        value = self._read(f"{exchange_name} {title}: ", f"the {title} ({name})")
        if value.strip().startswith("-----BEGIN") and "-----END" not in value:
            lines = [value]
            while True:
                more = self._read("", f"the rest of the PEM {title}")
                lines.append(more)
                if more.strip().startswith("-----END"):
                    break
            value = "\n".join(lines)
        return value

    def confirm(self, question: str) -> bool:
        if not self.interactive:
            raise UsageError("refusing to ask for confirmation without a terminal; pass --yes")
        print(f"{question} [y/N] ", end="", file=self.stderr, flush=True)
        assert self.stdin is not None  # interactive
        return self.stdin.readline(MAX_INPUT_LINE).strip().lower() in ("y", "yes")


# --- argument parsing ------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _text(value: str) -> str:
    """An argument that is stored or matched as text: it must be valid UTF-8."""
    try:
        value.encode("utf-8")  # undecodable argv bytes arrive as lone surrogates
    except UnicodeEncodeError:
        raise argparse.ArgumentTypeError(
            "not valid UTF-8 (check the terminal's or the script's encoding)") from None
    return value


def _entry_options(parser: argparse.ArgumentParser, *, editing: bool) -> None:
    parser.add_argument("--exchange", required=not editing, metavar="ID", type=_text,
                        help="ccxt exchange id, e.g. binance, okx, kucoin")
    parser.add_argument("--label", required=not editing, metavar="NAME", type=_text,
                        help="unique name of the key" + (" (renames it)" if editing else ""))
    parser.add_argument("--permissions", metavar="LIST", type=_text,
                        help="comma-separated: read, trade, withdraw (default: read)")
    parser.add_argument("--ip", metavar="ADDR[,ADDR]", type=_text,
                        help="IP whitelist: addresses or CIDR networks, comma-separated")
    env = parser.add_mutually_exclusive_group()
    env.add_argument("--sandbox", action="store_true", help="the exchange's sandbox/testnet")
    env.add_argument("--live", action="store_true", help="the live exchange (default)")
    env.add_argument("--api-url", metavar="URL", type=_text, help="a custom API base URL")
    parser.add_argument("--rotate-days", type=int, metavar="N",
                        help="rotation reminder in days (default 90)")
    parser.add_argument("--notes", metavar="TEXT", type=_text)
    parser.add_argument("--tags", metavar="LIST", type=_text, help="comma-separated tags")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Encrypted vault for crypto-exchange API keys.",
        epilog="Exit codes: 0 ok, 1 usage or validation error, 2 wrong master password, "
               "3 vault damaged or unsupported, 4 vault in use by another process, "
               "5 I/O error (disk full, permission denied, read-only vault, not a regular "
               "file, unsafe lock file), 6 not enough memory.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--vault", type=Path, metavar="PATH",
                        help="vault file (default: $VAULT_APP_VAULT, else vault.vault "
                             "in the user data folder)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                     parser_class=_Parser)
    commands.add_parser("init", help="create a new, empty vault")

    add = commands.add_parser("add", help="add a key (credentials are prompted)")
    _entry_options(add, editing=False)

    edit = commands.add_parser("edit", help="change a key's settings")
    edit.add_argument("target", metavar="LABEL", type=_text)
    _entry_options(edit, editing=True)
    edit.add_argument("--rotate", action="store_true",
                      help="enter new credentials (prompted) and mark the key as rotated")

    listing = commands.add_parser("list", help="list keys (never prints secrets)")
    listing.add_argument("--json", action="store_true")

    show = commands.add_parser("show", help="show one key, secrets masked")
    show.add_argument("target", metavar="LABEL", type=_text)
    show.add_argument("--reveal", action="store_true", help="print the secrets in clear")
    show.add_argument("--json", action="store_true")

    remove = commands.add_parser("remove", help="delete a key")
    remove.add_argument("target", metavar="LABEL", type=_text)
    remove.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    commands.add_parser("passwd", help="change the master password (new salt and data key)")

    inspect = commands.add_parser("inspect", help="show the file's format and KDF; "
                                                  "needs no password")
    inspect.add_argument("--json", action="store_true")
    return parser


# --- commands --------------------------------------------------------------------


class Cli:
    def __init__(self, args: argparse.Namespace, stdin: IO[str] | None, stdout: IO[str],
                 stderr: IO[str]) -> None:
        self.args = args
        self.out = stdout
        self.err = stderr
        self.prompt = Prompter(stdin, stderr)
        self.path: Path = args.vault if args.vault else default_vault_path()

    def say(self, text: str = "") -> None:
        print(text, file=self.out)

    def _json(self, data: object) -> None:
        self.out.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")  # one write

    def warn(self, text: str) -> None:
        print(f"{PROG}: warning: {escape(text)}", file=self.err)

    def require_vault(self) -> None:
        if not os.path.lexists(self.path):  # a broken link gets the core's own message
            raise errors.VaultNotFound(
                f"no vault at {self.path}; create one with '{PROG} init'"
            )
        self.warn_about_folder()

    def warn_about_folder(self) -> None:
        from vault_app.core.storage import folder_warning

        warning = folder_warning(self.path)
        if warning:
            self.warn(warning)

    def open_vault(self, *, read_only: bool = False) -> Any:
        from vault_app.core.vault import Vault

        self.require_vault()
        if not read_only:  # say so before asking for the password
            from vault_app.core.writable import check_writable

            check_writable(self.path)
        return Vault.open(self.path, self.prompt.password(), read_only=read_only)

    # init -------------------------------------------------------------------------
    def cmd_init(self) -> int:
        from vault_app.core.password_policy import check_new_password
        from vault_app.core.storage import resolve_new
        from vault_app.core.vault import Vault

        resolve_new(self.path)  # refuse a taken name or a broken link before any prompt
        self.warn_about_folder()
        if self.prompt.interactive:
            first, second = self.prompt.new_password("New master password: ")
        else:
            first = self.prompt.password(what="the new master password")
            second = self.prompt.password(what="the new master password again")
        check_new_password(first, second)
        vault = Vault.create(self.path, first)
        self.say(f"Created {self.path} ({vault.kdf.describe()})")
        return EXIT_OK

    # add --------------------------------------------------------------------------
    def _environment(self) -> tuple[str, str | None] | None:
        args = self.args
        if args.api_url is not None:
            return "custom", clean_api_url(args.api_url)
        if args.sandbox:
            return "sandbox", None
        if args.live:
            return "live", None
        return None

    def _prompt_credentials(self, exchange: str) -> dict[str, str]:
        info = load_catalog().get(exchange)
        return {name: self.prompt.credential(name, info.name) for name in info.required}

    def cmd_add(self) -> int:
        args = self.args
        catalog = load_catalog()
        # Check everything that needs no secret before asking for any.
        exchange = args.exchange.strip().lower()
        info = catalog.get(exchange)
        label = clean_label(args.label)
        permissions = parse_permissions(args.permissions or "read")
        ips = parse_ip_list(args.ip or "")
        environment, api_url = self._environment() or ("live", None)
        if environment == "sandbox" and not info.has_sandbox:
            raise errors.ValidationError(f"{info.name} has no sandbox environment in ccxt")
        rotate_days = check_rotate_days(args.rotate_days) if args.rotate_days is not None \
            else 90

        vault = self.open_vault()
        try:
            vault.find(label)
        except errors.ValidationError:
            pass
        else:
            raise errors.ValidationError(f"a key labelled '{label}' already exists")
        credentials = self._prompt_credentials(exchange)
        entry = new_entry(
            label=label, exchange=exchange, credentials=credentials, catalog=catalog,
            permissions=permissions, ip_whitelist=ips, environment=environment,
            api_url=api_url, rotate_days=rotate_days, notes=args.notes or "",
            tags=parse_tags(args.tags or ""),
        )
        vault.add(entry)
        self._permission_warnings(entry)
        self.say(f"Added '{entry.label}' ({info.name}; {', '.join(entry.permissions)}; "
                 f"{entry.environment})")
        return EXIT_OK

    def _permission_warnings(self, entry: KeyEntry) -> None:
        if entry.can_withdraw:
            self.warn(f"'{entry.label}' is labelled with withdraw rights; exchanges advise "
                      "keeping withdrawals disabled on API keys")
        if not entry.ip_whitelist and (entry.can_trade or entry.can_withdraw):
            self.warn(f"'{entry.label}' can trade but has no IP whitelist")

    # edit -------------------------------------------------------------------------
    def cmd_edit(self) -> int:
        args = self.args
        changes: dict[str, Any] = {}
        if args.label is not None:
            changes["label"] = clean_label(args.label)
        if args.exchange is not None:
            changes["exchange"] = load_catalog().get(args.exchange.strip().lower()).id
        if args.permissions is not None:
            changes["permissions"] = parse_permissions(args.permissions)
        if args.ip is not None:
            changes["ip_whitelist"] = parse_ip_list(args.ip)
        environment = self._environment()
        if environment is not None:
            changes["environment"], changes["api_url"] = environment
        if args.rotate_days is not None:
            changes["rotate_days"] = check_rotate_days(args.rotate_days)
        if args.notes is not None:
            changes["notes"] = args.notes
        if args.tags is not None:
            changes["tags"] = parse_tags(args.tags)
        if not changes and not args.rotate:
            raise UsageError("nothing to change; give at least one option (see --help)")

        vault = self.open_vault()
        entry = vault.find(args.target)
        if args.rotate:
            changes["credentials"] = self._prompt_credentials(
                changes.get("exchange", entry.exchange))
            if {k: v.strip() for k, v in changes["credentials"].items()} == {
                    k: v for k, v in entry.credentials.items() if k in changes["credentials"]}:
                raise errors.ValidationError(
                    "the credentials entered are the ones already stored; rotating means "
                    "creating a new key on the exchange and entering it here")
        try:
            edited = vault.update(entry.id, changes, base=entry)  # merged with the disk's
        except errors.ValidationError as exc:
            if exc.field in CREDENTIAL_TITLES and not args.rotate:
                raise errors.ValidationError(
                    f"{exc}; add --rotate to enter the credentials", exc.field) from None
            raise
        self._permission_warnings(edited)
        self.say(f"Updated '{edited.label}'" + (" (credentials rotated)" if args.rotate else ""))
        return EXIT_OK

    # list / show ------------------------------------------------------------------
    @staticmethod
    def _public(entry: KeyEntry) -> dict[str, Any]:
        now = utcnow()
        return {
            "id": entry.id,
            "label": entry.label,
            "exchange": entry.exchange,
            "permissions": list(entry.permissions),
            "ip_whitelist": list(entry.ip_whitelist),
            "environment": entry.environment,
            "api_url": entry.api_url,
            "created_at": format_ts(entry.created_at),
            "rotated_at": format_ts(entry.rotated_at),
            "last_used_at": format_ts(entry.last_used_at) if entry.last_used_at else None,
            "rotate_days": entry.rotate_days,
            "rotation_due_at": format_ts(entry.rotation_due_at),
            "rotation_overdue": entry.rotation_overdue(now),
            "notes": entry.notes,
            "tags": list(entry.tags),
            "credential_fields": list(entry.credentials),
        }

    def cmd_list(self) -> int:
        vault = self.open_vault(read_only=True)
        entries = vault.entries
        if self.args.json:
            self._json([self._public(e) for e in entries])
            return EXIT_OK
        if not entries:
            self.say(f"No keys in {self.path}. Add one with '{PROG} add'.")
            return EXIT_OK
        now = utcnow()
        # Fields from the file are printed with terminal controls escaped; one search
        # over all of them first, since escaping 40,000 fields one by one costs more.
        fields = [(e.label, e.exchange, ",".join(e.permissions), e.environment)
                  for e in entries]
        if any_unsafe(chain.from_iterable(fields)):
            fields = [(escape(a), escape(b), escape(c), escape(d)) for a, b, c, d in fields]
        rows = [("LABEL", "EXCHANGE", "PERMISSIONS", "ENV", "ROTATION", "LAST USED")]
        for e, (label, exchange, permissions, environment) in zip(entries, fields,
                                                                  strict=True):
            due = e.rotation_due_at
            rotation = f"overdue {(now - due).days}d" if now >= due else \
                f"due in {(due - now).days}d"
            rows.append((
                label, exchange, permissions, environment, rotation,
                e.last_used_at.strftime("%Y-%m-%d") if e.last_used_at else "never",
            ))
        widths = [max(map(len, column)) for column in list(zip(*rows, strict=True))[:-1]]
        line = "  ".join(f"{{:<{width}}}" for width in widths) + "  {}\n"
        self.out.write("".join(line.format(*row) for row in rows))
        return EXIT_OK

    def cmd_show(self) -> int:
        vault = self.open_vault(read_only=True)
        entry = vault.find(self.args.target)
        reveal = self.args.reveal
        credentials = {
            name: value if reveal else (mask(value) if name in SECRET_CREDENTIALS
                                        else mask_identifier(value))
            for name, value in entry.credentials.items()
        }
        if self.args.json:
            data = self._public(entry)
            data["credentials"] = credentials
            self._json(data)
            return EXIT_OK
        data = self._public(entry)
        lines = [
            ("Label", entry.label),
            ("Exchange", entry.exchange),
            ("Permissions", ", ".join(entry.permissions)),
            ("IP whitelist", ", ".join(entry.ip_whitelist) or "(none)"),
            ("Environment", entry.environment + (f" ({entry.api_url})" if entry.api_url else "")),
            ("Created", data["created_at"]),
            ("Rotated", data["rotated_at"] + f" (every {entry.rotate_days} days; "
             + ("OVERDUE" if data["rotation_overdue"] else f"next {data['rotation_due_at']}")
             + ")"),
            ("Last used", data["last_used_at"] or "never"),
            ("Tags", ", ".join(entry.tags)),
            ("Notes", entry.notes),
        ]
        notes = len(lines) - 1
        lines += [(escape(CREDENTIAL_TITLES.get(k, k)), v) for k, v in credentials.items()]
        width = max(len(k) for k, _ in lines)
        for number, (key, text) in enumerate(lines):
            # Terminal controls from the file are printed escaped (\x1b, \u202e). Notes
            # and credentials (PEM keys) keep line feeds and tabs, notes the bidi marks.
            keep = "" if number < notes else "\n\t" + (BIDI_MARKS if number == notes else "")
            value = escape(text, keep=keep)
            value = value.replace("\n", "\n" + " " * (width + 2))
            self.say(f"{key.ljust(width)}  {value}")
        return EXIT_OK

    # remove -----------------------------------------------------------------------
    def cmd_remove(self) -> int:
        if not self.args.yes and not self.prompt.interactive:
            raise UsageError("refusing to ask for confirmation without a terminal; pass --yes")
        vault = self.open_vault()
        entry = vault.find(self.args.target)
        if not self.args.yes and not self.prompt.confirm(
            f"Remove key '{escape(entry.label)}' ({escape(entry.exchange)})? "
            "This cannot be undone."
        ):
            self.say("Nothing removed.")
            return EXIT_OK
        vault.remove(entry.id)
        self.say(f"Removed '{escape(entry.label)}'")
        return EXIT_OK

    # passwd -----------------------------------------------------------------------
    def cmd_passwd(self) -> int:
        from vault_app.core.password_policy import check_new_password

        self.require_vault()
        from vault_app.core.writable import check_writable

        check_writable(self.path)
        old = self.prompt.password("Current master password: ", "the current master password")
        new, repeat = self.prompt.new_password()
        check_new_password(new, repeat)
        from vault_app.core.vault import Vault

        vault = Vault.open(self.path, old)
        vault.change_password(old, new)
        self.say(f"Master password changed ({vault.kdf.describe()}; new salt and data key)")
        return EXIT_OK

    # inspect ----------------------------------------------------------------------
    def cmd_inspect(self) -> int:
        from vault_app.core.vault import inspect

        self.warn_about_folder()
        info = inspect(self.path)
        data = {
            "path": str(info.path),
            "link": str(info.link) if info.link else None,
            "format_version": info.format_version,
            "kdf": {"name": "argon2id", "memory_kib": info.kdf.memory_kib,
                    "iterations": info.kdf.iterations, "parallelism": info.kdf.parallelism},
            "salt_length": info.salt_length,
            "payload_length": info.payload_length,
            "size": info.size,
            "checksum": "ok",
        }
        if self.args.json:
            self._json(data)
            return EXIT_OK
        self.say(f"File            {info.path}")
        if info.link:
            self.say(f"Link            {info.link} (a symbolic link to the file above)")
        self.say(f"Size            {info.size} bytes")
        self.say(f"Format version  {info.format_version}")
        self.say(f"KDF             Argon2id, m={info.kdf.memory_kib} KiB "
                 f"({info.kdf.memory_kib / 1024:g} MiB), t={info.kdf.iterations}, "
                 f"p={info.kdf.parallelism}")
        self.say(f"Salt            {info.salt_length} bytes")
        self.say(f"Payload         {info.payload_length} bytes (encrypted)")
        self.say("Checksum        ok")
        return EXIT_OK


def exit_code_for(exc: BaseException) -> int:
    for kind, code in EXIT_CODES:
        if isinstance(exc, kind):
            return code
    return EXIT_INTERNAL


class _Output:
    """Standard output whose write failures (``> /dev/full``) are typed errors."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def _guard(self, action: Callable[[], Any]) -> Any:
        try:
            return action()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(
                f"could not write to standard output ({exc.strerror or exc})") from None

    def write(self, text: str) -> int:
        return int(self._guard(lambda: self.stream.write(text)))

    def flush(self) -> None:
        self._guard(self.stream.flush)


def _claim_standard_fds() -> set[int]:
    """Point closed descriptors 0-2 at /dev/null; return the ones that were closed.

    Otherwise the next file opened (the lock, the vault's temp file) would get
    descriptor 1 or 2, and anything written to "stdout" would land in it.
    """
    closed = set()
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            closed.add(fd)
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    return closed


def _start_program(stderr: IO[str]) -> None:
    """What only the real program does, first: no core dumps, no stray descriptors."""
    from vault_app.core.process_hardening import harden_process, warning_text

    warning = warning_text(harden_process())  # before any password is read
    if warning:
        print(f"{PROG}: warning: {warning}", file=stderr)


def main(argv: Sequence[str] | None = None, *, stdin: IO[str] | None = None,
         stdout: IO[str] | None = None, stderr: IO[str] | None = None) -> int:
    """Run one command and return its exit code.

    Called without ``argv`` it is the program itself (the console script,
    ``python -m vault_app.cli``): it first turns core dumps off and claims closed
    standard descriptors. In-process tests pass ``argv`` and streams, and leave
    the test runner's process as it was.
    """
    program = argv is None
    closed = _claim_standard_fds() if program else set()
    if 2 in closed or (stderr is None and sys.stderr is None):
        stderr = open(os.devnull, "w", encoding="utf-8")
    stderr = stderr or sys.stderr
    if program:
        _start_program(stderr)
    if stdin is None and 0 not in closed:
        stdin = sys.stdin  # None when Python found descriptor 0 closed
    stdout_closed = 1 in closed or (stdout is None and sys.stdout is None)
    stdout = stdout or sys.stdout or open(os.devnull, "w", encoding="utf-8")
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return int(exc.code or 0)
    if stdout_closed:
        print(f"{PROG}: error: standard output is closed; nothing was done (to discard "
              "the output, redirect it to /dev/null)", file=stderr)
        return EXIT_USAGE
    out = _Output(stdout)
    cli = Cli(args, stdin, cast(IO[str], out), stderr)
    try:
        code: int = getattr(cli, f"cmd_{args.command}")()
        out.flush()
        return code
    except errors.VaultError as exc:
        # Escaped: a message may quote a label from a file another program wrote.
        print(f"{PROG}: error: {escape(str(exc))}", file=stderr)
        if isinstance(exc, OutputError) and program:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no 2nd error
        return exit_code_for(exc)
    except MemoryError:
        print(f"{PROG}: error: {NO_MEMORY_MESSAGE}", file=stderr)
        return EXIT_NO_MEMORY
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted; nothing was written", file=stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`| head`). Point stdout at /dev/null so that the
        # interpreter's final flush does not print a traceback either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # the last line of defence: never a traceback
        # Saves are atomic, so the vault file is either unchanged or fully saved.
        # The message is not printed: it could quote data.
        print(f"{PROG}: internal error ({type(exc).__name__}); the vault file is intact. "
              "Please report this.", file=stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
