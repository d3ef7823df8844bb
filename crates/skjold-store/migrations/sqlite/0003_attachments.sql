-- Attachments to messages. The file name and the content are sealed under the citizen's
-- key (a file name like "cv-mette-jensen.pdf" is personal data too); the content type is
-- the one sniffed from the bytes, never the sender's claim.
CREATE TABLE attachment (
    id BLOB PRIMARY KEY,
    message_id BLOB NOT NULL REFERENCES message (id),
    filename BLOB NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 BLOB NOT NULL,
    body BLOB NOT NULL
);
CREATE INDEX attachment_message ON attachment (message_id);
