-- The foundation: the municipality, its departments, people and their roles,
-- sign-in, the audit log, the notification outbox and the core of channels.
-- Written in Tilltal's neutral dialect: SERIAL_PK, TSTZ and BYTES are
-- translated for SQLite and PostgreSQL by db.Translate.

CREATE TABLE municipality (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    diary_prefix TEXT NOT NULL DEFAULT 'KS',
    created_at TSTZ NOT NULL
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TSTZ NOT NULL
);

CREATE TABLE departments (
    id SERIAL_PK,
    name TEXT NOT NULL UNIQUE,
    code TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_at TSTZ NOT NULL,
    updated_at TSTZ NOT NULL
);

CREATE TABLE users (
    id SERIAL_PK,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT,
    locale TEXT NOT NULL DEFAULT 'sv' CHECK (locale IN ('sv', 'en')),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    oidc_issuer TEXT,
    oidc_subject TEXT,
    created_at TSTZ NOT NULL,
    updated_at TSTZ NOT NULL,
    last_login_at TSTZ,
    UNIQUE (oidc_issuer, oidc_subject)
);

CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('communicator', 'owner', 'editor', 'department', 'registrar', 'legal')),
    PRIMARY KEY (user_id, role)
);

CREATE TABLE user_departments (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    department_id BIGINT NOT NULL REFERENCES departments (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, department_id)
);
CREATE INDEX user_departments_department ON user_departments (department_id);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TSTZ NOT NULL,
    last_seen_at TSTZ NOT NULL,
    expires_at TSTZ NOT NULL,
    ip TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
    id SERIAL_PK,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at TSTZ NOT NULL,
    last_used_at TSTZ,
    revoked_at TSTZ
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE login_attempts (
    id SERIAL_PK,
    key TEXT NOT NULL,
    at TSTZ NOT NULL
);
CREATE INDEX login_attempts_key_at ON login_attempts (key, at);

CREATE TABLE oidc_flows (
    state TEXT PRIMARY KEY,
    nonce TEXT NOT NULL,
    verifier TEXT NOT NULL,
    return_to TEXT NOT NULL DEFAULT '/',
    created_at TSTZ NOT NULL
);

CREATE TABLE audit_log (
    id SERIAL_PK,
    at TSTZ NOT NULL,
    actor_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL DEFAULT '',
    department_id BIGINT REFERENCES departments (id) ON DELETE SET NULL,
    summary TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '{}',
    ip TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);
CREATE INDEX audit_log_actor ON audit_log (actor_user_id);

CREATE TABLE chat_webhooks (
    id SERIAL_PK,
    name TEXT NOT NULL UNIQUE,
    url_enc BYTES NOT NULL,
    kind TEXT NOT NULL DEFAULT 'teams' CHECK (kind IN ('teams', 'slack')),
    department_id BIGINT REFERENCES departments (id) ON DELETE SET NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TSTZ NOT NULL
);

CREATE TABLE notifications (
    id SERIAL_PK,
    created_at TSTZ NOT NULL,
    transport TEXT NOT NULL CHECK (transport IN ('email', 'webhook')),
    recipient_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    email TEXT NOT NULL DEFAULT '',
    webhook_id BIGINT REFERENCES chat_webhooks (id) ON DELETE SET NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    sent_at TSTZ,
    dedupe_key TEXT UNIQUE
);
CREATE INDEX notifications_status ON notifications (status, created_at);

-- The core of a channel, enough for scoping; the channel registry adds the rest.
CREATE TABLE channels (
    id SERIAL_PK,
    department_id BIGINT NOT NULL REFERENCES departments (id),
    platform TEXT NOT NULL CHECK (platform IN ('facebook', 'instagram', 'linkedin', 'youtube', 'other')),
    external_id TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'requested',
    created_at TSTZ NOT NULL,
    updated_at TSTZ NOT NULL,
    UNIQUE (platform, external_id)
);
CREATE INDEX channels_department ON channels (department_id);

CREATE TABLE channel_members (
    channel_id BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('owner', 'deputy', 'editor')),
    PRIMARY KEY (channel_id, user_id, role)
);
CREATE INDEX channel_members_user ON channel_members (user_id);
