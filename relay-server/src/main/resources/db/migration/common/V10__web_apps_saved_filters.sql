-- Device web apps (issue 19): the admin's per-device switch; off until an admin turns it on (it opens
-- the device's loopback HTTP services to operators in the browser).
ALTER TABLE devices ADD COLUMN allow_web_apps BOOLEAN DEFAULT FALSE NOT NULL;

-- Saved device-list filters, per user (issue 19). The query is the console's filter text as typed.
-- Times are epoch milliseconds. Portable SQL (SQLite, H2, PostgreSQL).
CREATE TABLE saved_filters (
    username     VARCHAR(64)   NOT NULL,
    name         VARCHAR(64)   NOT NULL,
    query        VARCHAR(512)  NOT NULL,
    created_at   BIGINT        NOT NULL,
    PRIMARY KEY (username, name)
);
