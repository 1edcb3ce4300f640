-- Per-user token version: every token the relay issues carries the version current at login; logout and
-- password changes raise it, so older tokens (and the sessions opened with them) stop working at once.
-- Plain ALTER TABLE ... ADD COLUMN with a DEFAULT: the same statement runs on H2, PostgreSQL and SQLite.
ALTER TABLE users ADD COLUMN token_version INTEGER NOT NULL DEFAULT 0;
