-- The citizen's own view (DSR-1 … DSR-11). Citizens sign in through MitID (an OpenID
-- Connect broker) into sessions of their own, apart from staff sessions: the database keeps
-- only the hash of the session's secret, as for staff.
CREATE TABLE citizen_session (
    token_hash BYTES PRIMARY KEY,
    subject_id UUID NOT NULL REFERENCES data_subject (id),
    csrf_token TEXT NOT NULL,
    created_at TS NOT NULL,
    expires_at TS NOT NULL
);
CREATE INDEX citizen_session_subject ON citizen_session (subject_id);

-- Which sign-in a request at the identity provider belongs to: staff or citizen.
ALTER TABLE oidc_request ADD COLUMN audience TEXT NOT NULL DEFAULT 'staff';

-- The letter that answered a rights case, as it was sent, sealed under the citizen's key:
-- the citizen reads it again in their own view. Its SHA-256 is also on the case.
CREATE TABLE rights_letter (
    case_id UUID PRIMARY KEY REFERENCES rights_case (id),
    subject_id UUID NOT NULL REFERENCES data_subject (id),
    filename TEXT NOT NULL,
    pdf BYTES NOT NULL,
    sent_at TS NOT NULL
);
CREATE INDEX rights_letter_subject ON rights_letter (subject_id);

-- The consent registry (DSR-11, seed 003 § 11): a consent text per thing consented to, in
-- versions. A version is written from the checklist's answers, which are stored with it;
-- a consent names the version the citizen saw.
CREATE TABLE consent_text (
    id UUID PRIMARY KEY,
    controller_id UUID NOT NULL REFERENCES organisation (id),
    channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
    version I64 NOT NULL,
    body TEXT NOT NULL,
    checklist TEXT NOT NULL,
    created_by UUID REFERENCES app_user (id),
    created_at TS NOT NULL,
    UNIQUE (controller_id, channel, version)
);

-- How an objection was weighed, or the three questions about an automated decision and,
-- where art. 22 applies, its exception and safeguards: sealed JSON, with the decision.
ALTER TABLE rights_case ADD COLUMN assessment BYTES;

-- The duty to inform (art. 13 and 14): each notice on the citizen's record, given (its
-- text), postponed (until a date, with the reason) or not given under an exception (with
-- the reason); text and reasons sealed under the citizen's key.
CREATE TABLE notice_record (
    id UUID PRIMARY KEY,
    subject_id UUID NOT NULL REFERENCES data_subject (id),
    purpose_id UUID NOT NULL REFERENCES purpose (id),
    article TEXT NOT NULL CHECK (article IN ('13', '14')),
    status TEXT NOT NULL CHECK (status IN ('given', 'postponed', 'exempt')),
    body BYTES NOT NULL,
    postponed_until TEXT,
    recorded_by UUID NOT NULL REFERENCES app_user (id),
    recorded_at TS NOT NULL
);
CREATE INDEX notice_record_subject ON notice_record (subject_id, recorded_at);
