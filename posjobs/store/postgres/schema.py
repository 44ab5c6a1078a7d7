"""The PostgreSQL job store's schema, versioned: each migration brings a schema up to its version.

Tables live in a PostgreSQL schema of their own (`posjobs`, or `?schema=` in the URL), so the
job store, the data store (`posjobs_data`) and other applications share one database. JSON
columns are `text`, not `jsonb`: `jsonb` reorders keys, and a job's arguments keep theirs.
"""

from __future__ import annotations

DEFAULT_SCHEMA = "posjobs"
# The advisory-lock class ("posj") taken while creating or migrating a schema, and the one
# taken while writing log entries (see `logs.py`); the second key is the schema's hash.
MIGRATION_LOCK = 0x706F736A
LOG_LOCK = 0x706F736C

_V1 = (
    "CREATE SCHEMA IF NOT EXISTS {s}",
    "CREATE TABLE {s}.meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE {s}.id_sequence (name TEXT PRIMARY KEY, next BIGINT NOT NULL)",
    "INSERT INTO {s}.id_sequence (name, next) VALUES ('jobs', 1)",
    """CREATE TABLE {s}.jobs (
        id BIGINT PRIMARY KEY,
        status TEXT NOT NULL,
        source_name TEXT NOT NULL,
        priority TEXT NOT NULL,
        prio_rank SMALLINT NOT NULL,
        run_at DOUBLE PRECISION NOT NULL,
        created_at DOUBLE PRECISION NOT NULL,
        wait_from DOUBLE PRECISION NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        max_attempts INTEGER NOT NULL,
        arguments TEXT NOT NULL,
        partial TEXT,
        body TEXT,
        template TEXT NOT NULL,
        line INTEGER NOT NULL,
        col INTEGER NOT NULL DEFAULT 0,
        body_line INTEGER NOT NULL DEFAULT 1,
        delay DOUBLE PRECISION NOT NULL DEFAULT 0,
        context TEXT NOT NULL,
        parent_job_id BIGINT,
        worker TEXT,
        lease_until DOUBLE PRECISION,
        finished_at DOUBLE PRECISION,
        last_error TEXT,
        kill_requested BOOLEAN NOT NULL DEFAULT false
    )""",
    """CREATE INDEX jobs_due ON {s}.jobs (prio_rank, run_at, id)
        WHERE status IN ('scheduled', 'retry')""",
    "CREATE INDEX jobs_running ON {s}.jobs (lease_until) WHERE status = 'running'",
    "CREATE INDEX jobs_status ON {s}.jobs (status, priority)",
    "CREATE INDEX jobs_finished ON {s}.jobs (finished_at) WHERE finished_at IS NOT NULL",
    "CREATE INDEX jobs_parent ON {s}.jobs (parent_job_id) WHERE parent_job_id IS NOT NULL",
    """CREATE TABLE {s}.attempts (
        id BIGSERIAL PRIMARY KEY,
        job_id BIGINT NOT NULL,
        number INTEGER NOT NULL,
        started_at DOUBLE PRECISION NOT NULL,
        worker TEXT NOT NULL,
        ended_at DOUBLE PRECISION,
        outcome TEXT,
        error TEXT,
        duration DOUBLE PRECISION
    )""",
    "CREATE INDEX attempts_job ON {s}.attempts (job_id, id)",
    """CREATE TABLE {s}.logs (
        id BIGSERIAL PRIMARY KEY,
        created_at DOUBLE PRECISION NOT NULL,
        type TEXT NOT NULL,
        message TEXT NOT NULL,
        job_id BIGINT,
        source_name TEXT,
        attempt INTEGER,
        max_attempts INTEGER,
        priority TEXT,
        template TEXT,
        line INTEGER,
        page TEXT,
        request TEXT
    )""",
    "CREATE INDEX logs_job ON {s}.logs (job_id, id) WHERE job_id IS NOT NULL",
    "CREATE INDEX logs_created ON {s}.logs (created_at)",
    # A claim in one round trip (a worker's busiest statement): one indexed probe per
    # priority, so far-future high jobs never stand in front of due low ones; rows other
    # workers are claiming right now are skipped, not waited on. Attempts are numbered over
    # the job's whole history, as on SQLite (`jobs retry` keeps the old ones).
    """CREATE FUNCTION {s}.claim(p_worker TEXT, p_now DOUBLE PRECISION,
                                 p_lease DOUBLE PRECISION, p_among BIGINT[])
    RETURNS SETOF {s}.jobs LANGUAGE plpgsql AS $$
    DECLARE
        r INTEGER;
        found BIGINT;
    BEGIN
        FOR r IN 0..2 LOOP
            SELECT id INTO found FROM {s}.jobs
                WHERE status IN ('scheduled', 'retry') AND prio_rank = r AND run_at <= p_now
                  AND (p_among IS NULL OR id = ANY(p_among))
                ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED;
            IF found IS NOT NULL THEN
                INSERT INTO {s}.attempts (job_id, number, started_at, worker) VALUES (found,
                    (SELECT count(*) + 1 FROM {s}.attempts WHERE job_id = found), p_now,
                    p_worker);
                RETURN QUERY UPDATE {s}.jobs SET status = 'running',
                    attempts = attempts + 1, worker = p_worker, lease_until = p_now + p_lease
                    WHERE id = found RETURNING *;
                RETURN;
            END IF;
        END LOOP;
    END $$""",
)

# A render's run id on its jobs and their entries (`logs --run`, `jobs list --run`), and the
# simulated time of entries written in fast-forward: as the SQLite store's version 3.
_V2 = (
    "ALTER TABLE {s}.jobs ADD COLUMN run_id TEXT",
    "ALTER TABLE {s}.logs ADD COLUMN run_id TEXT",
    "ALTER TABLE {s}.logs ADD COLUMN simulated_at DOUBLE PRECISION",
    "CREATE INDEX jobs_run ON {s}.jobs (run_id, id) WHERE run_id IS NOT NULL",
    "CREATE INDEX logs_run ON {s}.logs (run_id, id) WHERE run_id IS NOT NULL",
)

# A worker's busiest path in one statement, so one round trip: record how an attempt ended
# (the job, its attempt, its log entries) and claim the next due job. It runs as its own
# transaction (the connection is in autocommit mode), in the order `jobs.py` and `logs.py`
# keep in their separate statements: the finish, guarded by the claim; the next claim; the
# log entries last, under the log lock (see `logs.py`), which is then held for the commit
# alone. The claimed job comes back as JSON (NULL when nothing is due).
_V3 = (
    """CREATE FUNCTION {s}.finish_and_claim(
        p_id BIGINT, p_held_by TEXT, p_attempt INTEGER, p_status TEXT,
        p_retry_at DOUBLE PRECISION, p_wait_from DOUBLE PRECISION,
        p_finished_at DOUBLE PRECISION, p_error TEXT, p_ended_at DOUBLE PRECISION,
        p_outcome TEXT, p_duration DOUBLE PRECISION, p_logs JSON, p_schema TEXT,
        p_channel TEXT, p_worker TEXT, p_now DOUBLE PRECISION, p_lease DOUBLE PRECISION)
    RETURNS TABLE (finished BOOLEAN, claimed JSON) LANGUAGE plpgsql AS $$
    DECLARE
        ended BIGINT;
        next_job {s}.jobs;
    BEGIN
        UPDATE {s}.jobs SET status = p_status, run_at = COALESCE(p_retry_at, run_at),
            wait_from = COALESCE(p_wait_from, wait_from), lease_until = NULL,
            kill_requested = false, finished_at = p_finished_at, last_error = p_error
            WHERE id = p_id AND status = 'running' AND worker = p_held_by
              AND attempts = p_attempt
            RETURNING id INTO ended;
        IF ended IS NOT NULL THEN
            UPDATE {s}.attempts SET ended_at = p_ended_at, outcome = p_outcome,
                error = p_error, duration = p_duration
                WHERE job_id = ended AND ended_at IS NULL;
            IF p_status = 'retry' THEN
                PERFORM pg_notify(p_channel, 'jobs');
            END IF;
        END IF;
        SELECT * INTO next_job FROM {s}.claim(p_worker, p_now, p_lease, NULL);
        IF ended IS NOT NULL AND json_array_length(p_logs) > 0 THEN
            PERFORM pg_advisory_xact_lock(%(log_lock)s, hashtext(p_schema)),
                pg_notify(p_channel, 'logs');
            INSERT INTO {s}.logs (created_at, type, message, job_id, source_name, attempt,
                max_attempts, priority, template, line, page, request, run_id, simulated_at)
            SELECT created_at, type, message, job_id, source_name, attempt, max_attempts,
                priority, template, line, page, request, run_id, simulated_at
            FROM json_populate_recordset(NULL::{s}.logs, p_logs);
        END IF;
        finished := ended IS NOT NULL;
        claimed := CASE WHEN next_job.id IS NULL THEN NULL ELSE row_to_json(next_job) END;
        RETURN NEXT;
    END $$""".replace("%(log_lock)s", str(LOG_LOCK)),
)

MIGRATIONS: tuple[tuple[int, tuple[str, ...]], ...] = ((1, _V1), (2, _V2), (3, _V3))
SCHEMA_VERSION = MIGRATIONS[-1][0]
