-- SEC-2: reminders by SMS or e-mail only with the citizen's consent for that channel.
-- Consents are never edited except to record the moment of withdrawal.
CREATE TABLE consent (
    id BLOB PRIMARY KEY,
    subject_id BLOB NOT NULL REFERENCES data_subject (id),
    channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
    notice_version TEXT NOT NULL,
    evidence BLOB NOT NULL,
    recorded_by BLOB NOT NULL REFERENCES app_user (id),
    given_at INTEGER NOT NULL,
    withdrawn_at INTEGER
);
CREATE INDEX consent_subject ON consent (subject_id, channel);

-- Every reminder sent: to whom (sealed), through which channel and provider, when.
CREATE TABLE reminder (
    id BLOB PRIMARY KEY,
    order_id BLOB NOT NULL REFERENCES service_order (id),
    subject_id BLOB NOT NULL REFERENCES data_subject (id),
    channel TEXT NOT NULL,
    body BLOB NOT NULL,
    sent_by BLOB NOT NULL REFERENCES app_user (id),
    sent_at INTEGER NOT NULL
);
