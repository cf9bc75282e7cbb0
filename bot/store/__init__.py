"""Storage: one SQLite file (WAL, foreign keys on, versioned schema), private to the core.

Nothing outside this package writes SQL, and nothing outside `bot.core` (and the composition root and
CLI) imports it. `Store` holds the queries, one module per concern; `Database` runs them off the event
loop. Times are stored as UTC ISO-8601 text of fixed width, so they sort as text.
"""

from bot.store.database import Database, DatabaseBusy, DatabaseUnwritable
from bot.store.maintenance import DEMO_DELIVERY_COLUMNS, DEMO_PEOPLE
from bot.store.records import (
    ACK_BANDS,
    AlreadyProcessed,
    CardState,
    Delivery,
    Engagement,
    Nudge,
    Tally,
    band_of,
    iso,
    parse_iso,
    week_of,
    week_of_hour,
)
from bot.store.store import Store, StoreUnavailable

__all__ = [
    "ACK_BANDS", "DEMO_DELIVERY_COLUMNS", "DEMO_PEOPLE", "AlreadyProcessed", "CardState", "Database", "DatabaseBusy", "DatabaseUnwritable", "Delivery", "Engagement", "Nudge", "Store",
    "StoreUnavailable", "Tally", "band_of", "iso", "parse_iso", "week_of", "week_of_hour",
]
