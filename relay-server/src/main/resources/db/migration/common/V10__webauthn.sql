-- WebAuthn / passkeys (issue 17): credentials as second factor or for passwordless login, and the
-- challenges of ceremonies under way. Portable SQL (SQLite, H2, PostgreSQL); times are epoch ms.
-- Rows older than the account holding the name are ignored, like the TOTP factors (V8).

-- credential_id: base64url of the authenticator's id (at most 1023 bytes); credential: base64 of the
-- attested credential data (AAGUID, id, COSE public key) as webauthn4j writes it; user_handle: the
-- random id the authenticator keeps for the account (base64url), the same on all of a user's keys.
CREATE TABLE webauthn_credentials (
    id            VARCHAR(32)    PRIMARY KEY,
    credential_id VARCHAR(1400)  NOT NULL UNIQUE,
    username      VARCHAR(64)    NOT NULL,
    user_handle   VARCHAR(64)    NOT NULL,
    name          VARCHAR(64)    NOT NULL,
    credential    TEXT           NOT NULL,
    sign_count    BIGINT         NOT NULL,
    created_at    BIGINT         NOT NULL,
    last_used_at  BIGINT
);
CREATE INDEX webauthn_credentials_username ON webauthn_credentials (username);

-- One row per ceremony under way: used once (deleted when taken), dead after expires_at. In the
-- database so that any relay of a cluster can finish a ceremony another one began.
CREATE TABLE webauthn_challenges (
    id          VARCHAR(32)  PRIMARY KEY,
    purpose     VARCHAR(16)  NOT NULL,
    username    VARCHAR(64),
    challenge   VARCHAR(64)  NOT NULL,
    expires_at  BIGINT       NOT NULL
);
