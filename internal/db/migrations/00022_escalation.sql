-- Questions an editor cannot answer, sent to the responsible department
-- with a deadline; the department's answer comes back to the item.
CREATE TABLE escalations (
    id SERIAL_PK,
    item_id BIGINT NOT NULL REFERENCES items (id),
    department_id BIGINT NOT NULL REFERENCES departments (id),
    question TEXT NOT NULL,
    asked_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    asked_at TSTZ NOT NULL,
    due_at TSTZ NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'cancelled')),
    answer TEXT NOT NULL DEFAULT '',
    answered_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    answered_at TSTZ,
    reminded_at TSTZ,
    escalated_at TSTZ
);
CREATE INDEX escalations_department ON escalations (department_id, status);
CREATE INDEX escalations_item ON escalations (item_id);
CREATE INDEX escalations_due ON escalations (status, due_at);
