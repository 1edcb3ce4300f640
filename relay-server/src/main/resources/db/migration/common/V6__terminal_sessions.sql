-- Open terminal sessions, so that a relay that did not open one (a restarted relay, a sibling in a
-- cluster) can resume it through the device, whose agent keeps the shell. Portable SQL.
CREATE TABLE terminal_sessions (
    id          VARCHAR(64) PRIMARY KEY,
    device_id   VARCHAR(64) NOT NULL,
    operator    VARCHAR(64) NOT NULL,
    started_at  BIGINT      NOT NULL
);
