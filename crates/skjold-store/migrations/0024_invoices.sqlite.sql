
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
