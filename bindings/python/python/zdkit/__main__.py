"""``python -m zdkit``: the command line."""

from .cli import main

raise SystemExit(main())
