"""Entry point for `python -m posjobs`."""

from posjobs.cli.app import main

main()
