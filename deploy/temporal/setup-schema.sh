#!/bin/sh
# Temporal's schemas on the compose PostgreSQL (databases created by postgres/init-databases.sh).
# Safe on every start: setup-schema -v 0.0 and update-schema are what Temporal's former
# auto-setup image ran at each boot; update-schema applies only the missing versions.
set -eu

: "${POSTGRES_SEEDS:=postgresql}"
: "${DB_PORT:=5432}"
: "${POSTGRES_USER:=temporal}"
# temporal-sql-tool reads the password from SQL_PASSWORD.
export SQL_PASSWORD

until nc -z "$POSTGRES_SEEDS" "$DB_PORT"; do
    echo "waiting for PostgreSQL at $POSTGRES_SEEDS:$DB_PORT"
    sleep 1
done

schemas=/etc/temporal/schema/postgresql/v12
for pair in "temporal:temporal" "temporal_visibility:visibility"; do
    db=${pair%%:*}
    dir=${pair##*:}
    echo "schema of $db"
    temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" \
        -u "$POSTGRES_USER" --db "$db" setup-schema -v 0.0
    temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" \
        -u "$POSTGRES_USER" --db "$db" update-schema -d "$schemas/$dir/versioned"
done
echo "Temporal schemas are up to date"
