-- Device inventory (issue 19): the facts the agent last reported, as JSON text bounded by the relay
-- (DeviceFacts.MAX_JSON_CHARS before it is stored), when they arrived (epoch milliseconds), and the
-- agent version on its own so version drift is a plain GROUP BY. Portable SQL (SQLite, PostgreSQL).
ALTER TABLE devices ADD COLUMN facts TEXT;
ALTER TABLE devices ADD COLUMN facts_at BIGINT;
ALTER TABLE devices ADD COLUMN agent_version VARCHAR(256);
