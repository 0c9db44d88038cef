-- Publishing: posts written once and adapted per platform, their images
-- and the consents (samtycken) that let a person be shown, approval,
-- scheduling per channel, and the flags raised when a consent ends.

-- Images, content-addressed by the SHA-256 of their bytes. The bytes live
-- here until the shared blob store is available; the hash is the image's
-- public address (/media/{sha256}) once a post using it is approved.
CREATE TABLE publish_images (
    sha256 TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    format TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    size_bytes BIGINT NOT NULL,
    data BYTES NOT NULL,
    -- no_person: someone stated that the image shows no identifiable person.
    no_person BOOLEAN NOT NULL DEFAULT FALSE,
    no_person_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    uploaded_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TSTZ NOT NULL
);

-- The consent register (samtyckesregister): who, for what use, until when,
-- signed by whom; withdrawn consents stay with when and why.
CREATE TABLE publish_consents (
    id SERIAL_PK,
    person TEXT NOT NULL,
    purpose TEXT NOT NULL,
    valid_until TSTZ NOT NULL,
    signed_by TEXT NOT NULL,
    signed_on TEXT NOT NULL,
    reference TEXT NOT NULL DEFAULT '',
    withdrawn_at TSTZ,
    withdrawn_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    withdrawn_reason TEXT NOT NULL DEFAULT '',
    -- expiry_flagged_at: the posts using the consent's images were flagged
    -- when it expired (once).
    expiry_flagged_at TSTZ,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TSTZ NOT NULL
);

CREATE TABLE publish_image_consents (
    image_sha256 TEXT NOT NULL REFERENCES publish_images (sha256),
    consent_id BIGINT NOT NULL REFERENCES publish_consents (id),
    PRIMARY KEY (image_sha256, consent_id)
);
CREATE INDEX publish_image_consents_consent ON publish_image_consents (consent_id);

-- Channel rules for publishing: whether its editors may publish without
-- approval.
CREATE TABLE publish_channel_rules (
    channel_id BIGINT PRIMARY KEY REFERENCES channels (id) ON DELETE CASCADE,
    direct_publish BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at TSTZ NOT NULL
);

-- Posts. status: draft, pending (waiting for approval), changes (changes
-- asked for), rejected, approved (scheduled or published), cancelled.
CREATE TABLE publish_posts (
    id SERIAL_PK,
    title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    link TEXT NOT NULL DEFAULT '',
    author_id BIGINT NOT NULL REFERENCES users (id),
    approver_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'pending', 'changes', 'rejected', 'approved', 'cancelled')),
    scheduled_at TSTZ,
    check_sender BOOLEAN NOT NULL DEFAULT FALSE,
    check_graphic_profile BOOLEAN NOT NULL DEFAULT FALSE,
    decided_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    decided_at TSTZ,
    decision_comment TEXT NOT NULL DEFAULT '',
    direct BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TSTZ NOT NULL,
    updated_at TSTZ NOT NULL
);
CREATE INDEX publish_posts_status ON publish_posts (status);
CREATE INDEX publish_posts_scheduled ON publish_posts (scheduled_at);

CREATE TABLE publish_post_images (
    post_id BIGINT NOT NULL REFERENCES publish_posts (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    image_sha256 TEXT NOT NULL REFERENCES publish_images (sha256),
    alt_text TEXT NOT NULL,
    PRIMARY KEY (post_id, seq)
);
CREATE INDEX publish_post_images_image ON publish_post_images (image_sha256);

-- One row per channel a post goes to, with its platform variant and what
-- became of it. status: planned, queued (handed to outbound), published,
-- failed, cancelled.
CREATE TABLE publish_targets (
    id SERIAL_PK,
    post_id BIGINT NOT NULL REFERENCES publish_posts (id) ON DELETE CASCADE,
    channel_id BIGINT NOT NULL REFERENCES channels (id),
    variant TEXT NOT NULL DEFAULT '',
    hashtags TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'queued', 'published', 'failed', 'cancelled')),
    -- job_round grows every time the target is (re)scheduled, so that a
    -- job of an earlier schedule does nothing.
    job_round INTEGER NOT NULL DEFAULT 0,
    action_id BIGINT REFERENCES outbound_actions (id),
    external_id TEXT NOT NULL DEFAULT '',
    item_id BIGINT REFERENCES items (id),
    error TEXT NOT NULL DEFAULT '',
    published_at TSTZ,
    updated_at TSTZ NOT NULL,
    UNIQUE (post_id, channel_id)
);
CREATE INDEX publish_targets_channel ON publish_targets (channel_id);
CREATE INDEX publish_targets_action ON publish_targets (action_id);

-- Approval history of a post: submitted, approved, changes, rejected,
-- rescheduled, cancelled, with the comment given.
CREATE TABLE publish_events (
    id SERIAL_PK,
    post_id BIGINT NOT NULL REFERENCES publish_posts (id) ON DELETE CASCADE,
    at TSTZ NOT NULL,
    user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT ''
);
CREATE INDEX publish_events_post ON publish_events (post_id, id);

-- Flags on posts whose image lost its consent (withdrawn or expired): a
-- published post must be looked at, and perhaps taken down.
CREATE TABLE publish_flags (
    id SERIAL_PK,
    post_id BIGINT NOT NULL REFERENCES publish_posts (id) ON DELETE CASCADE,
    consent_id BIGINT NOT NULL REFERENCES publish_consents (id),
    reason TEXT NOT NULL,
    created_at TSTZ NOT NULL,
    resolved_at TSTZ,
    resolved_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    UNIQUE (post_id, consent_id)
);
