"""One module per measurement; each `run(config, work, shared)` returns its result rows."""
