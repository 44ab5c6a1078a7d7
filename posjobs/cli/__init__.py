"""The command line: Typer commands that parse options, call one service, print with Rich."""
