-- Attachments to messages. The file name and the content are sealed under the citizen's
-- key (a file name like "cv-mette-jensen.pdf" is personal data too); the content type is
-- the one sniffed from the bytes, never the sender's claim.
CREATE TABLE attachment (
    id UUID PRIMARY KEY,
    message_id UUID NOT NULL REFERENCES message (id),
    filename BYTES NOT NULL,
    content_type TEXT NOT NULL,
    size I64 NOT NULL,
    sha256 BYTES NOT NULL,
    body BYTES NOT NULL
);
CREATE INDEX attachment_message ON attachment (message_id);
