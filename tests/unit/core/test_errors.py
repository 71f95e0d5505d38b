"""The error hierarchy is a contract: front ends map it to exit codes and dialogs."""

from __future__ import annotations

import inspect

import pytest

from vault_app import cli
from vault_app.core import errors


def _error_classes() -> list[type[errors.VaultError]]:
    return [
        obj for _, obj in inspect.getmembers(errors, inspect.isclass)
        if issubclass(obj, BaseException) and obj.__module__ == errors.__name__
    ]


def test_every_core_error_is_a_vault_error() -> None:
    classes = _error_classes()
    assert len(classes) >= 14
    for cls in classes:
        assert issubclass(cls, errors.VaultError), cls


@pytest.mark.parametrize(
    ("child", "parent"),
    [
        (errors.NotAVaultFile, errors.VaultDamaged),
        (errors.VaultChangedOnDisk, errors.VaultInUse),
        (errors.EditConflict, errors.VaultChangedOnDisk),
        (errors.EntryRemovedOnDisk, errors.VaultChangedOnDisk),
        (errors.VaultWriteError, errors.VaultIOError),
    ],
)
def test_specialised_errors_are_caught_by_their_general_kind(
    child: type[Exception], parent: type[Exception]
) -> None:
    assert issubclass(child, parent)


def test_unrelated_kinds_are_not_confused() -> None:
    # A wrong password must never be reported as damage, and vice versa.
    assert not issubclass(errors.WrongPassword, errors.VaultDamaged)
    assert not issubclass(errors.VaultDamaged, errors.WrongPassword)
    assert not issubclass(errors.UnsupportedVersion, errors.VaultDamaged)
    assert not issubclass(errors.KdfParamsOutOfRange, errors.VaultDamaged)


def test_wrong_password_has_a_default_message() -> None:
    assert str(errors.WrongPassword()) == "wrong master password"
    assert str(errors.WrongPassword("nope")) == "nope"


def test_validation_error_names_its_field() -> None:
    exc = errors.ValidationError("bad label", field="label")
    assert str(exc) == "bad label"
    assert exc.field == "label"
    assert errors.ValidationError("bad").field is None


@pytest.mark.parametrize("cls", _error_classes(), ids=lambda c: c.__name__)
def test_every_core_error_has_a_deliberate_cli_exit_code(cls: type[Exception]) -> None:
    exc = cls() if cls is errors.WrongPassword else cls("message")
    assert cli.exit_code_for(exc) != cli.EXIT_INTERNAL
