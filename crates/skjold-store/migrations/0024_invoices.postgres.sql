
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
