-- API tokens for automation and TOTP second factors (issue 17). Portable SQL (SQLite, H2, PostgreSQL).
-- Times are epoch milliseconds. Rows outlive neither the account nor an account re-created under the
-- same name: the relay ignores rows older than the user's created_at.

-- An API token is "dtk_<id>_<secret>": the id finds the row, only an HMAC-SHA256 of the secret is kept.
CREATE TABLE api_tokens (
    id           VARCHAR(32)   PRIMARY KEY,
    username     VARCHAR(64)   NOT NULL,
    name         VARCHAR(128)  NOT NULL,
    scopes       VARCHAR(128)  NOT NULL,
    secret_hash  VARCHAR(64)   NOT NULL,
    created_at   BIGINT        NOT NULL,
    expires_at   BIGINT        NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX api_tokens_username ON api_tokens (username);

-- A TOTP secret, AES-GCM encrypted with the relay's TOTP key; unconfirmed until the first code.
-- last_step: the newest time step accepted, so a code is never accepted twice.
CREATE TABLE totp_factors (
    username     VARCHAR(64)   PRIMARY KEY,
    secret_enc   VARCHAR(255)  NOT NULL,
    confirmed    BOOLEAN       NOT NULL,
    created_at   BIGINT        NOT NULL,
    last_step    BIGINT        NOT NULL
);

-- Single-use recovery codes, kept as HMAC-SHA256 under a key derived from the TOTP key.
CREATE TABLE recovery_codes (
    username     VARCHAR(64)   NOT NULL,
    code_hash    VARCHAR(64)   NOT NULL,
    created_at   BIGINT        NOT NULL,
    used_at      BIGINT,
    PRIMARY KEY (username, code_hash)
);

-- Which TOTP key sealed the factors above (a keyed fingerprint, not the key): a relay started with
-- another key is refused while factors exist, instead of failing every code.
CREATE TABLE identity_keys (
    name         VARCHAR(32)   PRIMARY KEY,
    fingerprint  VARCHAR(64)   NOT NULL
);
