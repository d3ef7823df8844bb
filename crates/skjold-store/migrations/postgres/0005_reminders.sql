-- SEC-2: reminders by SMS or e-mail only with the citizen's consent for that channel.
-- Consents are never edited except to record the moment of withdrawal.
CREATE TABLE consent (
    id UUID PRIMARY KEY,
    subject_id UUID NOT NULL REFERENCES data_subject (id),
    channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
    notice_version TEXT NOT NULL,
    evidence BYTEA NOT NULL,
    recorded_by UUID NOT NULL REFERENCES app_user (id),
    given_at BIGINT NOT NULL,
    withdrawn_at BIGINT
);
CREATE INDEX consent_subject ON consent (subject_id, channel);

-- Every reminder sent: to whom (sealed), through which channel and provider, when.
CREATE TABLE reminder (
    id UUID PRIMARY KEY,
    order_id UUID NOT NULL REFERENCES service_order (id),
    subject_id UUID NOT NULL REFERENCES data_subject (id),
    channel TEXT NOT NULL,
    body BYTEA NOT NULL,
    sent_by UUID NOT NULL REFERENCES app_user (id),
    sent_at BIGINT NOT NULL
);
