-- SQLite twin of standard/V1: only the audit id differs (INTEGER PRIMARY KEY is SQLite's row id;
-- AUTOINCREMENT so a pruned id is never handed out again). Every later migration is shared.
CREATE TABLE users (
    username       VARCHAR(64)   PRIMARY KEY,
    password_hash  VARCHAR(255)  NOT NULL,
    role           VARCHAR(16)   NOT NULL,
    allowed_labels VARCHAR(1024) NOT NULL DEFAULT '',
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE devices (
    id          VARCHAR(64)   PRIMARY KEY,
    name        VARCHAR(128)  NOT NULL,
    labels      VARCHAR(1024) NOT NULL DEFAULT '',
    token_hash  VARCHAR(128),
    host_key    VARCHAR(1024),
    status      VARCHAR(16)   NOT NULL,
    last_seen   TIMESTAMP WITH TIME ZONE,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TIMESTAMP WITH TIME ZONE NOT NULL,
    event       VARCHAR(64)   NOT NULL,
    actor       VARCHAR(64),
    device_id   VARCHAR(64),
    session_id  VARCHAR(64),
    remote_ip   VARCHAR(64),
    detail      VARCHAR(2048)
);
CREATE INDEX audit_events_at ON audit_events (at);
