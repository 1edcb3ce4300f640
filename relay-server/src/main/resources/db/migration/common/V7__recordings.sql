-- Recorded browser terminal sessions (asciicast v2, gzip, in the recordings directory) and the
-- per-device recording policy. Portable SQL.
ALTER TABLE devices ADD COLUMN recording VARCHAR(16) DEFAULT 'off' NOT NULL;

CREATE TABLE recordings (
    id          VARCHAR(64)  PRIMARY KEY,
    session_id  VARCHAR(64)  NOT NULL,
    device_id   VARCHAR(64)  NOT NULL,
    operator    VARCHAR(64)  NOT NULL,
    relay_id    VARCHAR(128),
    file_name   VARCHAR(255) NOT NULL,
    started_at  BIGINT       NOT NULL,
    ended_at    BIGINT,
    bytes       BIGINT       DEFAULT 0 NOT NULL
);
CREATE INDEX recordings_started ON recordings (started_at);
CREATE INDEX recordings_device ON recordings (device_id, started_at);
