"""The PySide6 front end. Thin: widgets read fields, call the core, show results."""
