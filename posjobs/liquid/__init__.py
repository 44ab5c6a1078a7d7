"""The platformOS Liquid dialect. The only package that imports python-liquid."""

from posjobs.liquid.dialect import Dialect, Limits
from posjobs.liquid.run import JobInfo, RunState

__all__ = ["Dialect", "JobInfo", "Limits", "RunState"]
