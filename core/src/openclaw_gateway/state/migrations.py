"""Schema migrations, applied in order; ``PRAGMA user_version`` records how far a database is.

Append new steps; never edit a released one.
"""

MIGRATIONS: list[str] = [
    # 1: devices, their hashed tokens, and pending pairing requests.
    """
    CREATE TABLE devices (
        device_id        TEXT PRIMARY KEY,
        public_key       TEXT NOT NULL,
        display_name     TEXT,
        platform         TEXT,
        device_family    TEXT,
        client_id        TEXT,
        client_mode      TEXT,
        roles            TEXT NOT NULL DEFAULT '[]',
        scopes           TEXT NOT NULL DEFAULT '[]',
        approved_via     TEXT NOT NULL,
        created_at_ms    INTEGER NOT NULL,
        approved_at_ms   INTEGER NOT NULL,
        last_seen_at_ms  INTEGER,
        last_seen_reason TEXT
    );
    CREATE TABLE device_tokens (
        device_id     TEXT NOT NULL REFERENCES devices(device_id) ON DELETE CASCADE,
        role          TEXT NOT NULL,
        token_hash    TEXT NOT NULL,
        scopes        TEXT NOT NULL DEFAULT '[]',
        issued_at_ms  INTEGER NOT NULL,
        rotated_at_ms INTEGER,
        PRIMARY KEY (device_id, role)
    );
    CREATE TABLE pairing_requests (
        request_id    TEXT PRIMARY KEY,
        device_id     TEXT NOT NULL,
        public_key    TEXT NOT NULL,
        role          TEXT NOT NULL,
        scopes        TEXT NOT NULL DEFAULT '[]',
        client        TEXT NOT NULL DEFAULT '{}',
        remote_ip     TEXT,
        created_at_ms INTEGER NOT NULL
    );
    CREATE INDEX pairing_requests_device ON pairing_requests(device_id);
    """,
    # 2: nodes (the approved command surface of each node device) and their pending requests.
    """
    CREATE TABLE nodes (
        node_id          TEXT PRIMARY KEY,
        display_name     TEXT,
        platform         TEXT,
        version          TEXT,
        client_id        TEXT,
        client_mode      TEXT,
        device_family    TEXT,
        caps             TEXT NOT NULL DEFAULT '[]',
        commands         TEXT NOT NULL DEFAULT '[]',
        created_at_ms    INTEGER NOT NULL,
        approved_at_ms   INTEGER NOT NULL,
        last_seen_at_ms  INTEGER,
        last_seen_reason TEXT
    );
    CREATE TABLE node_pair_requests (
        request_id      TEXT PRIMARY KEY,
        node_id         TEXT NOT NULL UNIQUE,
        client          TEXT NOT NULL DEFAULT '{}',
        caps            TEXT NOT NULL DEFAULT '[]',
        commands        TEXT NOT NULL DEFAULT '[]',
        required_scopes TEXT NOT NULL DEFAULT '[]',
        silent          INTEGER NOT NULL DEFAULT 0,
        created_at_ms   INTEGER NOT NULL
    );
    """,
    # 3: agent sessions, their transcripts, and runs (for agent.wait and idempotent repeats).
    """
    CREATE TABLE sessions (
        session_key   TEXT PRIMARY KEY,
        session_id    TEXT NOT NULL,
        agent_id      TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL
    );
    CREATE TABLE messages (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        session_key   TEXT NOT NULL,
        run_id        TEXT,
        role          TEXT NOT NULL,
        body          TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL
    );
    CREATE INDEX messages_session ON messages(session_key, id);
    CREATE TABLE runs (
        run_id        TEXT PRIMARY KEY,
        session_key   TEXT NOT NULL,
        kind          TEXT NOT NULL,
        status        TEXT NOT NULL,
        summary       TEXT,
        error         TEXT,
        text          TEXT,
        started_at_ms INTEGER NOT NULL,
        ended_at_ms   INTEGER
    );
    """,
    # 4: scheduled agent runs (cron jobs) and the outcome of each job's last run.
    """
    CREATE TABLE cron_jobs (
        job_id         TEXT PRIMARY KEY,
        name           TEXT NOT NULL,
        schedule       TEXT NOT NULL,
        tz             TEXT NOT NULL DEFAULT 'UTC',
        message        TEXT NOT NULL,
        session_key    TEXT NOT NULL,
        enabled        INTEGER NOT NULL DEFAULT 1,
        created_at_ms  INTEGER NOT NULL,
        next_run_at_ms INTEGER,
        last_run_id    TEXT,
        last_status    TEXT,
        last_run_at_ms INTEGER,
        last_error     TEXT
    );
    """,
    # 5: channel DM pairing: approved senders and pending pairing codes.
    """
    CREATE TABLE channel_allowlist (
        channel     TEXT NOT NULL,
        sender_id   TEXT NOT NULL,
        sender_name TEXT,
        added_at_ms INTEGER NOT NULL,
        added_via   TEXT NOT NULL,
        PRIMARY KEY (channel, sender_id)
    );
    CREATE TABLE channel_pairing_codes (
        channel       TEXT NOT NULL,
        code          TEXT NOT NULL,
        account       TEXT NOT NULL,
        sender_id     TEXT NOT NULL,
        sender_name   TEXT,
        chat_id       TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        expires_at_ms INTEGER NOT NULL,
        PRIMARY KEY (channel, code)
    );
    """,
    # 6: cron schedules besides cron expressions (every N ms, once at a time) and each job's run
    #    history (bounded per job by the scheduler).
    """
    ALTER TABLE cron_jobs ADD COLUMN schedule_kind TEXT NOT NULL DEFAULT 'cron';
    ALTER TABLE cron_jobs ADD COLUMN every_ms INTEGER;
    ALTER TABLE cron_jobs ADD COLUMN anchor_ms INTEGER;
    ALTER TABLE cron_jobs ADD COLUMN at_ms INTEGER;
    CREATE TABLE cron_runs (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id      TEXT NOT NULL UNIQUE,
        job_id      TEXT NOT NULL,
        reason      TEXT NOT NULL,
        status      TEXT NOT NULL,
        session_key TEXT NOT NULL,
        run_at_ms   INTEGER NOT NULL,
        ended_at_ms INTEGER,
        duration_ms INTEGER,
        error       TEXT,
        summary     TEXT
    );
    CREATE INDEX cron_runs_job ON cron_runs(job_id, id);
    """,
    # 7: when each cron job's definition last changed (the reference's ``updatedAtMs``).
    """
    ALTER TABLE cron_jobs ADD COLUMN updated_at_ms INTEGER;
    UPDATE cron_jobs SET updated_at_ms = created_at_ms;
    """,
    # 8: transcripts ordered by turn: every message of a run carries the id of the run's user
    #    message, so a burst of queued messages reads u1 a1 u2 a2 …, not u1 u2 … a1 a2 ….
    """
    ALTER TABLE messages ADD COLUMN turn INTEGER;
    UPDATE messages SET turn = id;
    CREATE INDEX messages_turn ON messages(session_key, turn, id);
    """,
    # 9: where each channel account's receive stream was handled up to (Telegram's update id), so
    #    a restart neither answers an update twice nor skips one.
    """
    CREATE TABLE channel_cursors (
        channel       TEXT NOT NULL,
        account       TEXT NOT NULL,
        cursor        TEXT NOT NULL,
        updated_at_ms INTEGER NOT NULL,
        PRIMARY KEY (channel, account)
    );
    """,
]
