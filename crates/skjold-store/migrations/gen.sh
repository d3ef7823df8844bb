#!/bin/sh
# Renders the per-backend migrations from schema.tmpl.sql (and appendonly.*.sql).
# Run from this folder after changing the template; a test checks the output is current.
set -eu
sed -e 's/\bUUID\b/BLOB/g; s/\bBYTES\b/BLOB/g; s/\bBOOL\b/INTEGER/g; s/\bTS\b/INTEGER/g' schema.tmpl.sql \
  | cat - appendonly.sqlite.sql > sqlite/0001_init.sql
sed -e 's/\bBYTES\b/BYTEA/g; s/\bBOOL\b/BOOLEAN/g; s/\bTS\b/BIGINT/g' schema.tmpl.sql \
  | cat - appendonly.postgres.sql > postgres/0001_init.sql
