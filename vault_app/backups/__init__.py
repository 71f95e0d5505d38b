"""Encrypted backups of a vault: a verified export, a restore into a new vault, a merge.

A backup is a vault file (docs/vault-format.md) with its own salt and data key and a
``backup`` section carrying the order-journal records of its keys: the app, the CLI and
the independent decrypter in ``tests/vectors`` open it like any vault.

- ``export``: ``export_backup`` writes one, reads it back with the password and compares
  every entry and record before it takes the chosen name.
- ``restore``: ``read_backup`` opens one; ``restore_new`` makes a new vault (and journal)
  of it.
- ``merge``: ``plan_merge`` says what a merge into an open vault adds and where it
  conflicts; ``apply_merge`` carries out the user's choices in one atomic save.

No Qt and no ccxt here: the GUI and the CLI call these functions and show the result.
"""
