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
    organisation_id UUID PRIMARY KEY REFERENCES organisation (id),
    service_id UUID NOT NULL REFERENCES organisation (id),
    contact_user_id UUID NOT NULL REFERENCES app_user (id),
    citizens BIGINT,
    -- Documents in another currency are kept but not summed.
    currency TEXT NOT NULL,
    joined_at BIGINT NOT NULL,
    ended_at BIGINT,
    end_confirmed_at BIGINT
);

CREATE TABLE invoice_document (
    id UUID PRIMARY KEY,
    organisation_id UUID NOT NULL REFERENCES organisation (id),
    sender TEXT NOT NULL,
    document_id TEXT NOT NULL,
    issue_date TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    supplier_name TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount BIGINT NOT NULL,
    lines BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('review', 'analysed', 'rejected')),
    reasons TEXT NOT NULL,
    anonymised BYTEA NOT NULL,
    raw BYTEA,
    raw_deleted_at BIGINT,
    received_at BIGINT NOT NULL,
    received_by UUID REFERENCES app_user (id),
    UNIQUE (organisation_id, sender, document_id, issue_date)
);
CREATE INDEX invoice_document_status ON invoice_document (status, received_at);
CREATE INDEX invoice_document_organisation ON invoice_document (organisation_id, status);

-- A reviewer's decisions; the note is sealed under the organisation's key.
CREATE TABLE invoice_review (
    id UUID PRIMARY KEY,
    document_id UUID NOT NULL REFERENCES invoice_document (id),
    decision TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),
    redacted BIGINT NOT NULL,
    note BYTEA NOT NULL,
    decided_by UUID NOT NULL REFERENCES app_user (id),
    decided_at BIGINT NOT NULL
);
CREATE INDEX invoice_review_document ON invoice_review (document_id);

-- Spend per organisation, month, category and supplier (amounts in øre, credit notes
-- negative; an invoice counts once in each cell it has lines in).
CREATE TABLE invoice_spend (
    organisation_id UUID NOT NULL REFERENCES organisation (id),
    month TEXT NOT NULL,
    category_top TEXT NOT NULL,
    category_sub TEXT NOT NULL,
    supplier TEXT NOT NULL,
    invoices BIGINT NOT NULL,
    lines BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, month, category_top, category_sub, supplier)
);

CREATE TABLE invoice_totals (
    organisation_id UUID PRIMARY KEY REFERENCES organisation (id),
    invoices BIGINT NOT NULL,
    small_invoices BIGINT NOT NULL,
    small_amount BIGINT NOT NULL,
    other_currency BIGINT NOT NULL
);

-- The anonymised lines, partitioned by the year of issue (SKI's scale is hundreds of
-- millions of lines): one partition per year from 2015 to 2040, and a default one.
CREATE TABLE invoice_line (
    document_id UUID NOT NULL,
    line_no BIGINT NOT NULL,
    organisation_id UUID NOT NULL,
    issue_year BIGINT NOT NULL,
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
    amount BIGINT NOT NULL,
    emission_kg TEXT,
    PRIMARY KEY (issue_year, document_id, line_no)
) PARTITION BY RANGE (issue_year);
CREATE INDEX invoice_line_organisation ON invoice_line (organisation_id, issue_year);
DO $$
BEGIN
    FOR y IN 2015..2040 LOOP
        EXECUTE format('CREATE TABLE invoice_line_%s PARTITION OF invoice_line FOR VALUES FROM (%s) TO (%s)', y, y, y + 1);
    END LOOP;
END
$$;
CREATE TABLE invoice_line_default PARTITION OF invoice_line DEFAULT;
