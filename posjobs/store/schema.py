"""The SQLite schema, versioned: each migration brings a store up to its version."""

from __future__ import annotations

# PRAGMA application_id marks a file as a posjobs store ("posj" in ASCII).
APPLICATION_ID = 0x706F736A

_V1 = (
    """CREATE TABLE id_sequence (name TEXT PRIMARY KEY, next INTEGER NOT NULL)""",
    """INSERT INTO id_sequence (name, next) VALUES ('jobs', 1)""",
    """CREATE TABLE jobs (
        id INTEGER PRIMARY KEY,
        status TEXT NOT NULL,
        source_name TEXT NOT NULL,
        priority TEXT NOT NULL,
        prio_rank INTEGER NOT NULL,
        run_at REAL NOT NULL,
        created_at REAL NOT NULL,
        wait_from REAL NOT NULL,  -- when the wait for run_at began (for worker --speed)
        attempts INTEGER NOT NULL DEFAULT 0,
        max_attempts INTEGER NOT NULL,
        arguments TEXT NOT NULL,
        partial TEXT,
        body TEXT,
        template TEXT NOT NULL,
        line INTEGER NOT NULL,
        col INTEGER NOT NULL DEFAULT 0,
        body_line INTEGER NOT NULL DEFAULT 1,
        delay REAL NOT NULL DEFAULT 0,
        context TEXT NOT NULL,
        parent_job_id INTEGER,
        worker TEXT,
        lease_until REAL,
        finished_at REAL,
        last_error TEXT,
        kill_requested INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE INDEX jobs_due ON jobs (prio_rank, run_at, id)
        WHERE status IN ('scheduled', 'retry')""",
    """CREATE INDEX jobs_running ON jobs (lease_until) WHERE status = 'running'""",
    """CREATE INDEX jobs_status ON jobs (status, id)""",
    """CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL""",
    """CREATE INDEX jobs_parent ON jobs (parent_job_id) WHERE parent_job_id IS NOT NULL""",
    """CREATE TABLE attempts (
        id INTEGER PRIMARY KEY,
        job_id INTEGER NOT NULL,
        number INTEGER NOT NULL,
        started_at REAL NOT NULL,
        worker TEXT NOT NULL,
        ended_at REAL,
        outcome TEXT,
        error TEXT,
        duration REAL  -- seconds, measured where the attempt ran
    )""",
    """CREATE INDEX attempts_job ON attempts (job_id, id)""",
    """CREATE TABLE logs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at REAL NOT NULL,
        type TEXT NOT NULL,
        message TEXT NOT NULL,
        job_id INTEGER,
        source_name TEXT,
        attempt INTEGER,
        max_attempts INTEGER,
        priority TEXT,
        template TEXT,
        line INTEGER,
        page TEXT,
        request TEXT
    )""",
    """CREATE INDEX logs_job ON logs (job_id, id) WHERE job_id IS NOT NULL""",
    """CREATE INDEX logs_created ON logs (created_at)""",
)

# v2: the dashboard's counts per status and priority read this index alone, not the rows.
_V2 = ("""CREATE INDEX jobs_status_priority ON jobs (status, priority)""",)

# v3: the render a job or entry belongs to (`render` gives each its run id; the jobs it
# causes, and theirs, carry it), for `logs --run` and `jobs list --run`.
_V3 = (
    """ALTER TABLE jobs ADD COLUMN run_id TEXT""",
    """ALTER TABLE logs ADD COLUMN run_id TEXT""",
    # a fast-forwarded attempt's entries: the simulated time (created_at is the real one)
    """ALTER TABLE logs ADD COLUMN simulated_at REAL""",
    """CREATE INDEX jobs_run ON jobs (run_id, id) WHERE run_id IS NOT NULL""",
    """CREATE INDEX logs_run ON logs (run_id, id) WHERE run_id IS NOT NULL""",
)

MIGRATIONS: tuple[tuple[int, tuple[str, ...]], ...] = ((1, _V1), (2, _V2), (3, _V3))
SCHEMA_VERSION = MIGRATIONS[-1][0]
