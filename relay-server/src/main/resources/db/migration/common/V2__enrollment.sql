-- Enrollment replaces per-device bearer tokens: a device proves possession of its host key instead.
-- Portable between H2 and PostgreSQL.
CREATE TABLE enrollment_tokens (
    id           VARCHAR(36)   PRIMARY KEY,
    token_hash   VARCHAR(128)  NOT NULL UNIQUE,
    reusable     BOOLEAN       NOT NULL,
    auto_accept  BOOLEAN       NOT NULL,
    labels       VARCHAR(1024) NOT NULL DEFAULT '',
    expires_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    created_by   VARCHAR(64),
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    uses         INT           NOT NULL DEFAULT 0,
    revoked      BOOLEAN       NOT NULL DEFAULT FALSE
);

ALTER TABLE devices DROP COLUMN token_hash;
ALTER TABLE devices ADD COLUMN enrolled_with VARCHAR(36);

CREATE INDEX audit_events_event ON audit_events (event);
CREATE INDEX devices_status ON devices (status);
