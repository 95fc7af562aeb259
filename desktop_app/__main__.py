"""``python -m desktop_app``: the GUI, or a headless subcommand (see ``desktop_app.app``)."""

import sys

from desktop_app.app import main

if __name__ == "__main__":
    sys.exit(main())
