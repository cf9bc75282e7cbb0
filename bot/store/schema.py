"""The schema and its migrations. Each migration runs once, in order, inside a transaction."""

from __future__ import annotations

import sqlite3

from bot.store.records import BAND_COLUMNS, band_sql

# Each entry is one version: SQL statements separated by semicolons (no triggers, so splitting is safe).
MIGRATIONS: list[str] = [
    """
        CREATE TABLE people (
            id TEXT PRIMARY KEY,                -- platform-prefixed: slack:U…, teams:<aad>, local:<name>
            name TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE deliveries (
            id TEXT PRIMARY KEY,                -- stable, the Acknowledge button carries it
            card_id TEXT NOT NULL,
            card_version INTEGER NOT NULL,
            topic TEXT NOT NULL,
            team_id TEXT NOT NULL,
            channel TEXT NOT NULL,
            reason TEXT NOT NULL CHECK (reason IN ('scheduled', 'sergeant', 'resent', 'cli')),
            posted_by TEXT,                     -- person id, or NULL for the scheduler
            shift_start TEXT,                   -- UTC ISO time of the shift it is for, if any
            occurrence TEXT UNIQUE,             -- team|shift_start for scheduled nudges: claimed once
            created_at TEXT NOT NULL,
            posted_at TEXT,
            message_ref TEXT,                   -- the platform's reference (JSON)
            state TEXT NOT NULL CHECK (state IN ('claimed', 'posting', 'posted', 'failed', 'missed')),
            error TEXT
        );
        CREATE INDEX deliveries_team ON deliveries(team_id, created_at);
        CREATE INDEX deliveries_state ON deliveries(state);
        CREATE TABLE recipients (
            delivery_id TEXT NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
            person_id TEXT NOT NULL REFERENCES people(id),
            PRIMARY KEY (delivery_id, person_id)
        ) WITHOUT ROWID;
        CREATE INDEX recipients_person ON recipients(person_id);
        CREATE TABLE acknowledgements (
            delivery_id TEXT NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
            person_id TEXT NOT NULL REFERENCES people(id),
            at TEXT NOT NULL,
            via TEXT NOT NULL,
            PRIMARY KEY (delivery_id, person_id)
        ) WITHOUT ROWID;
        CREATE INDEX acknowledgements_person ON acknowledgements(person_id);
        CREATE TABLE check_answers (
            delivery_id TEXT NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
            person_id TEXT NOT NULL REFERENCES people(id),
            choice INTEGER NOT NULL,
            correct INTEGER NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (delivery_id, person_id)
        ) WITHOUT ROWID;
        CREATE TABLE nudges (
            delivery_id TEXT NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
            person_id TEXT NOT NULL REFERENCES people(id),
            kind TEXT NOT NULL CHECK (kind IN ('nudge', 'reminder')),
            at TEXT NOT NULL,
            by TEXT,
            PRIMARY KEY (delivery_id, person_id, kind)
        ) WITHOUT ROWID;
        CREATE TABLE questions (
            id INTEGER PRIMARY KEY,
            asked_by TEXT,
            via TEXT NOT NULL,
            asked_at TEXT NOT NULL,
            text TEXT NOT NULL,
            answered INTEGER NOT NULL,
            card_id TEXT,
            topic TEXT,
            score REAL NOT NULL,
            helpful INTEGER
        );
        CREATE INDEX questions_unanswered ON questions(answered, asked_at);
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT,
            detail TEXT
        );
        CREATE INDEX audit_at ON audit(at);
        CREATE TABLE conversation_refs (
            channel TEXT PRIMARY KEY,           -- platform-prefixed channel id
            reference TEXT NOT NULL,            -- the platform's JSON needed to post proactively
            updated_at TEXT NOT NULL
        );
        CREATE TABLE processed_events (
            key TEXT PRIMARY KEY,               -- e.g. slack:event:<event_id>, so a retry finds it here
            at TEXT NOT NULL
        );
    """,
    # 2: one occurrence key for scheduled nudges, shared with the scheduler (scheduler.occurrence):
    # `nudge|<team>|<UTC ISO start>` instead of `<team>|<local ISO start>`. Shift starts are whole minutes.
    """
        UPDATE deliveries
        SET occurrence = 'nudge|' || team_id || '|' || substr(shift_start, 1, 19) || '+00:00'
        WHERE reason = 'scheduled' AND shift_start IS NOT NULL AND occurrence IS NOT NULL
          AND occurrence NOT LIKE 'nudge|%' AND occurrence NOT LIKE 'demo|%'
    """,
    # 3: what every report counts, kept on the delivery as it happens (so a force-wide report adds up one
    # row per card, not one per officer), and the anonymous weekly figures `db purge` keeps. Minutes to
    # acknowledge are counted in bands (ACK_BANDS in bot/store/records.py) for the median.
    """
        ALTER TABLE deliveries ADD COLUMN recipients_n INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE deliveries ADD COLUMN acknowledged_n INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE deliveries ADD COLUMN on_time_n INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE deliveries ADD COLUMN late_n INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE deliveries ADD COLUMN answered_n INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE deliveries ADD COLUMN correct_n INTEGER NOT NULL DEFAULT 0;
        {band_columns}
        UPDATE deliveries SET
            recipients_n = (SELECT COUNT(*) FROM recipients r WHERE r.delivery_id = deliveries.id),
            acknowledged_n = (SELECT COUNT(*) FROM acknowledgements a WHERE a.delivery_id = deliveries.id),
            on_time_n = (SELECT COUNT(*) FROM acknowledgements a WHERE a.delivery_id = deliveries.id
                         AND deliveries.shift_start IS NOT NULL AND a.at <= deliveries.shift_start),
            late_n = (SELECT COUNT(*) FROM acknowledgements a WHERE a.delivery_id = deliveries.id
                      AND deliveries.shift_start IS NOT NULL AND a.at > deliveries.shift_start),
            answered_n = (SELECT COUNT(*) FROM check_answers c WHERE c.delivery_id = deliveries.id),
            correct_n = (SELECT COALESCE(SUM(c.correct), 0) FROM check_answers c WHERE c.delivery_id = deliveries.id),
            {band_backfill};
        CREATE INDEX deliveries_posted ON deliveries(state, posted_at);
        CREATE INDEX check_answers_person ON check_answers(person_id);
        CREATE TABLE weekly_archive (
            week TEXT NOT NULL,                 -- local Monday, YYYY-MM-DD
            team_id TEXT NOT NULL,
            topic TEXT NOT NULL,
            deliveries INTEGER NOT NULL,
            delivered INTEGER NOT NULL,
            acknowledged INTEGER NOT NULL,
            on_time INTEGER NOT NULL,
            late INTEGER NOT NULL,
            answered INTEGER NOT NULL,
            correct INTEGER NOT NULL,
            {band_archive},
            PRIMARY KEY (week, team_id, topic)
        ) WITHOUT ROWID
    """.format(
        band_columns="\n".join(f"ALTER TABLE deliveries ADD COLUMN {c} INTEGER NOT NULL DEFAULT 0;" for c in BAND_COLUMNS),
        band_backfill=",\n".join(
            f"{c} = (SELECT COUNT(*) FROM acknowledgements a WHERE a.delivery_id = deliveries.id AND "
            f"{band_sql('a.at', 'COALESCE(deliveries.posted_at, deliveries.created_at)')} = {i})"
            for i, c in enumerate(BAND_COLUMNS)
        ),
        band_archive=",\n".join(f"{c} INTEGER NOT NULL" for c in BAND_COLUMNS),
    ),
    # 4: the force-wide figures per UTC hour, kept as they happen (bot.store.base._bump): a force-wide weekly
    # report reads some 9,000 rows a year instead of every card posted.
    """
        CREATE TABLE hourly_tallies (
            hour TEXT PRIMARY KEY,              -- UTC, YYYY-MM-DDTHH
            deliveries INTEGER NOT NULL DEFAULT 0,
            delivered INTEGER NOT NULL DEFAULT 0,
            acknowledged INTEGER NOT NULL DEFAULT 0,
            on_time INTEGER NOT NULL DEFAULT 0,
            late INTEGER NOT NULL DEFAULT 0,
            answered INTEGER NOT NULL DEFAULT 0,
            correct INTEGER NOT NULL DEFAULT 0,
            {bands}
        ) WITHOUT ROWID;
        INSERT INTO hourly_tallies
        SELECT substr(COALESCE(posted_at, created_at), 1, 13) AS hour, COUNT(*), SUM(recipients_n),
               SUM(acknowledged_n), SUM(on_time_n), SUM(late_n), SUM(answered_n), SUM(correct_n), {band_sums}
        FROM deliveries WHERE state = 'posted' GROUP BY hour
    """.format(
        bands=",\n".join(f"{c} INTEGER NOT NULL DEFAULT 0" for c in BAND_COLUMNS),
        band_sums=", ".join(f"SUM({c})" for c in BAND_COLUMNS),
    ),
    # 5: an unanswered question plainly outside hot spots policing (leave, custody, the football) is counted
    # but is no content gap: it is not passed on and stays off the unanswered list. Older questions were all
    # passed on, so they stay on it.
    """
        ALTER TABLE questions ADD COLUMN off_topic INTEGER NOT NULL DEFAULT 0;
        DROP INDEX questions_unanswered;
        CREATE INDEX questions_unanswered ON questions(answered, off_topic, asked_at)
    """,
    # 6: a delivery that failed before anything reached the channel (the platform refused it, e.g. still
    # rate-limited after its retries) may be posted again by the scheduler while its shift has not started;
    # one whose post may have arrived (a timeout, a crash mid-post) is never sent again.
    """
        ALTER TABLE deliveries ADD COLUMN retry_ok INTEGER NOT NULL DEFAULT 0
    """,
]


def migrate(conn: sqlite3.Connection, now: str) -> int:
    """Bring the schema up to date in one transaction (safe if two processes start together)."""
    conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
    conn.execute("BEGIN IMMEDIATE")
    try:
        current = int(conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()[0])
        for version, script in enumerate(MIGRATIONS, start=1):
            if version <= current:
                continue
            for statement in script.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute("INSERT INTO schema_migrations VALUES (?, ?)", (version, now))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return len(MIGRATIONS)
