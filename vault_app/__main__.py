"""``python -m vault_app`` starts the GUI."""

import sys

from vault_app.gui.app import main

sys.exit(main())
