#!/bin/sh
# Runs once, when the PostgreSQL container initialises an empty data directory
# (/docker-entrypoint-initdb.d). The image itself creates the `temporal` role and database.
# Added here: Temporal's visibility database, and Runwright's store as its own role and database
# (separate from Temporal's, so either can be moved, backed up or restored alone).
set -eu

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v runwright_password="$POSTGRES_RUNWRIGHT_PASSWORD" <<'SQL'
CREATE DATABASE temporal_visibility OWNER temporal;
CREATE ROLE runwright LOGIN PASSWORD :'runwright_password';
CREATE DATABASE runwright OWNER runwright;
\connect runwright
-- Superuser-only on most servers: created here so Runwright's migrations find it (they add
-- the file_search vector column when it exists).
CREATE EXTENSION IF NOT EXISTS vector;
SQL
