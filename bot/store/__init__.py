"""Storage: one SQLite file (WAL, foreign keys on, versioned schema), private to the core.

Nothing outside this package writes SQL, and nothing outside `bot.core` (and the composition root and
CLI) imports it. `Store` holds the queries, one module per concern; `Database` runs them off the event
loop. Times are stored as UTC ISO-8601 text of fixed width, so they sort as text.
"""

from bot.store.database import Database, DatabaseBusy, DatabaseUnwritable
from bot.store.records import AlreadyProcessed, CardState, Delivery, Engagement, Nudge, Tally, iso, parse_iso
from bot.store.store import Store, StoreUnavailable

__all__ = [
    "AlreadyProcessed", "CardState", "Database", "DatabaseBusy", "DatabaseUnwritable", "Delivery", "Engagement", "Nudge", "Store",
    "StoreUnavailable", "Tally", "iso", "parse_iso",
]
