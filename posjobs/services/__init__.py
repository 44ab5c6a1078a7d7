"""What posjobs does: render pages, run jobs, read logs. Nothing here prints or exits."""
