"""The platform's data, locally: the project's GraphQL run against its own records, users,
constants and outbox (graphql-core over the data store in `posjobs/store/data`)."""

from __future__ import annotations

from posjobs.data.session import DataLayer, DataSession, NotificationRenderer
from posjobs.data.tables import DataError

__all__ = ["DataError", "DataLayer", "DataSession", "NotificationRenderer"]
