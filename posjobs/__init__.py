"""posjobs: render platformOS pages locally, run their background jobs, tail their logs."""

__version__ = "0.1.0"
