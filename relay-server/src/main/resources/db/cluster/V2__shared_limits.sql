-- What each relay kept in memory and a cluster must share (cluster mode only; see docs/SCALING.md).

-- Device proof ids seen by any relay, kept until the proof could no longer pass anyway: inserting
-- an id that is already here is a replay, whichever relay saw it first.
CREATE TABLE cluster_proof_ids (
    device_id  VARCHAR(128) NOT NULL,
    jti        VARCHAR(128) NOT NULL,
    keep_until BIGINT       NOT NULL,
    PRIMARY KEY (device_id, jti)
);
CREATE INDEX cluster_proof_ids_keep_until ON cluster_proof_ids (keep_until);

-- One row per open session slot (terminal, native SSH, file transfer) on a relay: caps per operator
-- and per device count the rows of relays with a live lease, so a dead relay's slots stop counting.
CREATE TABLE cluster_session_slots (
    slot_id    VARCHAR(36)  NOT NULL PRIMARY KEY,
    relay_id   VARCHAR(64)  NOT NULL,
    operator   VARCHAR(64)  NOT NULL,
    device_id  VARCHAR(128) NOT NULL,
    opened_at  BIGINT       NOT NULL
);
CREATE INDEX cluster_session_slots_operator ON cluster_session_slots (operator);
CREATE INDEX cluster_session_slots_device ON cluster_session_slots (device_id);
CREATE INDEX cluster_session_slots_relay ON cluster_session_slots (relay_id);

-- Attempts let through per key (e.g. a login account) per one-minute window, for limits that hold
-- across relays; refused counts refusals in the window, so only the first one is audited.
CREATE TABLE cluster_rate_hits (
    limit_name   VARCHAR(64)  NOT NULL,
    rate_key     VARCHAR(256) NOT NULL,
    window_start BIGINT       NOT NULL,
    hits         INTEGER      NOT NULL,
    refused      INTEGER      NOT NULL,
    PRIMARY KEY (limit_name, rate_key, window_start)
);
