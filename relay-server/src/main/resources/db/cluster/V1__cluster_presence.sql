-- Cluster presence (cluster mode only; its own Flyway history table, cluster_schema_history, so these
-- versions never collide with db/migration). Portable SQL: plain types, times as epoch milliseconds.

-- One row per relay process identity. A relay renews lease_until every few seconds; a relay whose
-- lease has passed is dead, and every link row pointing at it stops counting as online.
CREATE TABLE cluster_relays (
    relay_id      VARCHAR(64)  NOT NULL PRIMARY KEY,
    advertise_url VARCHAR(512) NOT NULL,
    -- SHA-256 over the secrets every relay of a cluster must share (relay SSH key, user CA, token
    -- secret): a relay started with other ones refuses to join instead of failing every session.
    secrets_id    VARCHAR(64)  NOT NULL,
    lease_until   BIGINT       NOT NULL,
    started_at    BIGINT       NOT NULL
);

-- One row per device with a control link somewhere: written on link up and link down only, never
-- per ping. generation grows on every new link so a late "down" of an older link cannot delete it.
CREATE TABLE cluster_device_links (
    device_id    VARCHAR(128) NOT NULL PRIMARY KEY,
    relay_id     VARCHAR(64)  NOT NULL,
    generation   BIGINT       NOT NULL,
    connected_at BIGINT       NOT NULL
);

CREATE INDEX cluster_device_links_relay ON cluster_device_links (relay_id);
