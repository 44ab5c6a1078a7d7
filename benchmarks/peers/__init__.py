"""The peers and baselines posjobs is measured against: Huey, bare SQLite loops, Typer."""
