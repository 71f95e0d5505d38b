"""Backups in the window: export, restore into a new vault, merge into this one.

The dialogs collect choices and show results; ``vault_app.backups`` does the work,
in the window's background op helper.
"""
