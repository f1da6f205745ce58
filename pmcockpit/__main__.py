"""``python -m pmcockpit`` and the ``pmcockpit`` script: choose the language, then run.

The language is chosen before the command line's modules are imported, since they
translate their help texts at import (see :mod:`pmcockpit.core.i18n`).
"""

from __future__ import annotations

import sys


def run() -> None:
    from pmcockpit.config import startup_language
    from pmcockpit.core.i18n import use_language

    use_language(startup_language(sys.argv[1:]))
    from pmcockpit.cli import main

    main()


if __name__ == "__main__":
    run()
