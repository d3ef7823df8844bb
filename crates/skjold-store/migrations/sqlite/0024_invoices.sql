-- The procurement-data collaboration (INV-1 … INV-4, INV-12, INV-17).
--
-- An organisation takes part through a participation: the analysis service it sends its
-- invoices to (a processor, under a DPA), its designated contact, and its citizens (for
-- figures per citizen). Each document received is kept once per (organisation, sender,
-- document id, issue date): its anonymised form, what made it wait for review, and its raw
-- form sealed under the organisation's key (NULL once deleted). Its lines, anonymised, are
-- in `invoice_line` (per backend: partitioned by year on PostgreSQL); the analyses read the
-- aggregates `invoice_spend` and `invoice_totals`, kept as documents enter the analyses.
CREATE TABLE invoice_participation (
    organisation_id BLOB PRIMARY KEY REFERENCES organisation (id),
    service_id BLOB NOT NULL REFERENCES organisation (id),
    contact_user_id BLOB NOT NULL REFERENCES app_user (id),
    citizens INTEGER,
    -- Documents in another currency are kept but not summed.
    currency TEXT NOT NULL,
    joined_at INTEGER NOT NULL,
    ended_at INTEGER,
    end_confirmed_at INTEGER
);

CREATE TABLE invoice_document (
    id BLOB PRIMARY KEY,
    organisation_id BLOB NOT NULL REFERENCES organisation (id),
    sender TEXT NOT NULL,
    document_id TEXT NOT NULL,
    issue_date TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    supplier_name TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount INTEGER NOT NULL,
    lines INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('review', 'analysed', 'rejected')),
    reasons TEXT NOT NULL,
    anonymised BLOB NOT NULL,
    raw BLOB,
    raw_deleted_at INTEGER,
    received_at INTEGER NOT NULL,
    received_by BLOB REFERENCES app_user (id),
    UNIQUE (organisation_id, sender, document_id, issue_date)
);
CREATE INDEX invoice_document_status ON invoice_document (status, received_at);
CREATE INDEX invoice_document_organisation ON invoice_document (organisation_id, status);

-- A reviewer's decisions; the note is sealed under the organisation's key.
CREATE TABLE invoice_review (
    id BLOB PRIMARY KEY,
    document_id BLOB NOT NULL REFERENCES invoice_document (id),
    decision TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),
    redacted INTEGER NOT NULL,
    note BLOB NOT NULL,
    decided_by BLOB NOT NULL REFERENCES app_user (id),
    decided_at INTEGER NOT NULL
);
CREATE INDEX invoice_review_document ON invoice_review (document_id);

-- Spend per organisation, month, category and supplier (amounts in øre, credit notes
-- negative; an invoice counts once in each cell it has lines in).
CREATE TABLE invoice_spend (
    organisation_id BLOB NOT NULL REFERENCES organisation (id),
    month TEXT NOT NULL,
    category_top TEXT NOT NULL,
    category_sub TEXT NOT NULL,
    supplier TEXT NOT NULL,
    invoices INTEGER NOT NULL,
    lines INTEGER NOT NULL,
    amount INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, month, category_top, category_sub, supplier)
);

CREATE TABLE invoice_totals (
    organisation_id BLOB PRIMARY KEY REFERENCES organisation (id),
    invoices INTEGER NOT NULL,
    small_invoices INTEGER NOT NULL,
    small_amount INTEGER NOT NULL,
    other_currency INTEGER NOT NULL
);

-- The anonymised lines, one table.
CREATE TABLE invoice_line (
    document_id BLOB NOT NULL,
    line_no INTEGER NOT NULL,
    organisation_id BLOB NOT NULL,
    issue_year INTEGER NOT NULL,
    issue_date TEXT NOT NULL,
    supplier TEXT NOT NULL,
    category_top TEXT NOT NULL,
    category_sub TEXT NOT NULL,
    classification TEXT,
    item_name TEXT,
    gtin TEXT,
    seller_item_id TEXT,
    quantity TEXT NOT NULL,
    unit_code TEXT,
    amount INTEGER NOT NULL,
    emission_kg TEXT,
    PRIMARY KEY (document_id, line_no)
);
CREATE INDEX invoice_line_organisation ON invoice_line (organisation_id, issue_year);
