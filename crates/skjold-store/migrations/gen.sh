#!/bin/sh
# Renders the per-backend migrations from the templates (schema.tmpl.sql with
# appendonly.*.sql for 0001, then NNNN_*.tmpl.sql, each followed by NNNN_*.<backend>.sql
# where one exists), and the key store's own (keystore/NNNN_*.tmpl.sql). Run from this
# folder after changing a template; a test (tests/schema.rs) checks the output is current.
set -eu
sqlite() { sed -e 's/\bUUID\b/BLOB/g; s/\bBYTES\b/BLOB/g; s/\bBOOL\b/INTEGER/g; s/\bTS\b/INTEGER/g; s/\bI64\b/INTEGER/g' "$1"; }
postgres() { sed -e 's/\bBYTES\b/BYTEA/g; s/\bBOOL\b/BOOLEAN/g; s/\bTS\b/BIGINT/g; s/\bI64\b/BIGINT/g' "$1"; }
sqlite schema.tmpl.sql | cat - appendonly.sqlite.sql > sqlite/0001_init.sql
postgres schema.tmpl.sql | cat - appendonly.postgres.sql > postgres/0001_init.sql
for t in 0*.tmpl.sql; do
  name=${t%.tmpl.sql}
  sqlite "$t" > "sqlite/$name.sql"
  postgres "$t" > "postgres/$name.sql"
  # Backend-specific statements (triggers), appended as they are.
  for b in sqlite postgres; do
    if [ -f "$name.$b.sql" ]; then cat "$name.$b.sql" >> "$b/$name.sql"; fi
  done
done
# The key store is a database of its own, with its own migrations.
for t in keystore/0*.tmpl.sql; do
  name=$(basename "${t%.tmpl.sql}")
  sqlite "$t" > "keystore/sqlite/$name.sql"
  postgres "$t" > "keystore/postgres/$name.sql"
done
