-- One row the relay rewrites every few seconds: /readyz is only "ready" while a real write reaches
-- the store (a full disk or a read-only file fails it, a read-only probe would not notice).
-- Portable between SQLite and PostgreSQL.
CREATE TABLE store_heartbeat (
    id       INT        PRIMARY KEY,
    relay    VARCHAR(64) NOT NULL,
    beat_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
