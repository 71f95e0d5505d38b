"""``python -m vault_app.cli`` runs the command line, as the console script does."""

import sys

from vault_app.cli import main

sys.exit(main())
