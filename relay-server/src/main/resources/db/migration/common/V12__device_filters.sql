-- Saved filters of the console's device list (issue 19): per user, a name and the filter words.
-- Portable SQL (SQLite, H2, PostgreSQL); times are epoch ms. Rows older than the account holding the
-- name are ignored (and swept at its next save), like passkeys (V10).
CREATE TABLE device_filters (
    id          VARCHAR(32)   PRIMARY KEY,
    username    VARCHAR(64)   NOT NULL,
    name        VARCHAR(64)   NOT NULL,
    filter      VARCHAR(256)  NOT NULL,
    created_at  BIGINT        NOT NULL,
    UNIQUE (username, name)
);
