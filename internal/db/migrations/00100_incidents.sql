-- Criminal content: per-channel rules applied when an item is classified,
-- incident cases (ärenden) opened from items, the evidence vault with its
-- seal, and the quarantine of media flagged as child sexual abuse material.

-- What a channel does when the classifier scores an item in a category at
-- or above min_score: only flag it, notify whoever is on duty at once, or
-- hide it on the platform pending review (which notifies too). open_case
-- opens an incident automatically.
CREATE TABLE incident_rules (
    channel_id BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('flag', 'notify', 'hide')),
    min_score DOUBLE PRECISION NOT NULL CHECK (min_score > 0 AND min_score <= 1),
    open_case BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at TSTZ NOT NULL,
    updated_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    PRIMARY KEY (channel_id, category)
);

-- How long a channel may take from an item's arrival to its removal when
-- an incident is opened on it.
CREATE TABLE incident_targets (
    channel_id BIGINT PRIMARY KEY REFERENCES channels (id) ON DELETE CASCADE,
    removal_minutes INTEGER NOT NULL CHECK (removal_minutes BETWEEN 5 AND 10080),
    updated_at TSTZ NOT NULL
);

CREATE TABLE incidents (
    id SERIAL_PK,
    item_id BIGINT NOT NULL UNIQUE REFERENCES items (id),
    channel_id BIGINT NOT NULL REFERENCES channels (id),
    department_id BIGINT NOT NULL REFERENCES departments (id),
    category TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'reported', 'closed')),
    opened_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    opened_by_rule BOOLEAN NOT NULL DEFAULT FALSE,
    note TEXT NOT NULL DEFAULT '',
    posted_at TSTZ NOT NULL,
    received_at TSTZ NOT NULL,
    opened_at TSTZ NOT NULL,
    removal_target_minutes INTEGER NOT NULL,
    hide_action_id BIGINT REFERENCES outbound_actions (id),
    delete_action_id BIGINT REFERENCES outbound_actions (id),
    removed_at TSTZ,
    removal TEXT NOT NULL DEFAULT '' CHECK (removal IN ('', 'hidden', 'deleted', 'gone')),
    removal_error TEXT NOT NULL DEFAULT '',
    removal_alerted_at TSTZ,
    decision TEXT NOT NULL DEFAULT '' CHECK (decision IN ('', 'delete', 'keep_hidden')),
    decided_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    decided_at TSTZ,
    preserved_at TSTZ,
    seal_sha256 TEXT NOT NULL DEFAULT '',
    diary_entry_id BIGINT REFERENCES diary_entries (id),
    diary_number TEXT NOT NULL DEFAULT '',
    police_report_number TEXT NOT NULL DEFAULT '',
    reported_at TSTZ,
    reported_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    platform_report_id TEXT NOT NULL DEFAULT '',
    tip_reference TEXT NOT NULL DEFAULT '',
    police_acted_at TSTZ,
    last_reminder_at TSTZ,
    closed_at TSTZ
);
CREATE INDEX incidents_channel ON incidents (channel_id, opened_at);
CREATE INDEX incidents_unremoved ON incidents (opened_at) WHERE removed_at IS NULL;
CREATE INDEX incidents_unreported ON incidents (opened_at) WHERE police_report_number = '';

-- The evidence vault: each part of a snapshot, encrypted at rest (sealed
-- with the instance's secret box, bound to its incident, name and hash),
-- with the SHA-256 of its plaintext. Parts and seals are append-only: the
-- triggers refuse every change and deletion.
CREATE TABLE incident_evidence (
    id SERIAL_PK,
    incident_id BIGINT NOT NULL REFERENCES incidents (id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    sealed BYTES NOT NULL,
    captured_at TSTZ NOT NULL,
    UNIQUE (incident_id, name),
    UNIQUE (incident_id, position)
);

-- One seal per incident: the manifest of its parts as written, and the
-- SHA-256 of that manifest.
CREATE TABLE incident_seals (
    incident_id BIGINT PRIMARY KEY REFERENCES incidents (id),
    manifest TEXT NOT NULL,
    seal_sha256 TEXT NOT NULL,
    sealed_at TSTZ NOT NULL
);

--sqlite: CREATE TRIGGER incident_evidence_no_update BEFORE UPDATE ON incident_evidence BEGIN SELECT RAISE(ABORT, 'incident evidence is append-only'); END;
--sqlite: CREATE TRIGGER incident_evidence_no_delete BEFORE DELETE ON incident_evidence BEGIN SELECT RAISE(ABORT, 'incident evidence is append-only'); END;
--sqlite: CREATE TRIGGER incident_evidence_sealed BEFORE INSERT ON incident_evidence WHEN EXISTS (SELECT 1 FROM incident_seals WHERE incident_id = NEW.incident_id) BEGIN SELECT RAISE(ABORT, 'incident evidence is sealed'); END;
--sqlite: CREATE TRIGGER incident_seals_no_update BEFORE UPDATE ON incident_seals BEGIN SELECT RAISE(ABORT, 'incident seals are append-only'); END;
--sqlite: CREATE TRIGGER incident_seals_no_delete BEFORE DELETE ON incident_seals BEGIN SELECT RAISE(ABORT, 'incident seals are append-only'); END;
--postgres: CREATE FUNCTION incident_vault_frozen() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'incident evidence is append-only'; END $$;
--postgres: CREATE FUNCTION incident_vault_sealed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF EXISTS (SELECT 1 FROM incident_seals WHERE incident_id = NEW.incident_id) THEN RAISE EXCEPTION 'incident evidence is sealed'; END IF; RETURN NEW; END $$;
--postgres: CREATE TRIGGER incident_evidence_frozen BEFORE UPDATE OR DELETE ON incident_evidence FOR EACH ROW EXECUTE FUNCTION incident_vault_frozen();
--postgres: CREATE TRIGGER incident_evidence_sealed BEFORE INSERT ON incident_evidence FOR EACH ROW EXECUTE FUNCTION incident_vault_sealed();
--postgres: CREATE TRIGGER incident_seals_frozen BEFORE UPDATE OR DELETE ON incident_seals FOR EACH ROW EXECUTE FUNCTION incident_vault_frozen();

-- Media of an item flagged as child sexual abuse material: unreadable to
-- everyone and left out of backups, exports, search and releases from the
-- moment of the flag; purged when the responsible person records that the
-- police have acted. Other packages that keep media consult this table.
CREATE TABLE media_quarantine (
    item_id BIGINT PRIMARY KEY REFERENCES items (id),
    reason TEXT NOT NULL,
    quarantined_at TSTZ NOT NULL,
    purged_at TSTZ
);
