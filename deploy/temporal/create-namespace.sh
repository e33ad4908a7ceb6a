#!/bin/sh
# Register the namespace Runwright uses, once the Temporal frontend answers. Idempotent.
# Runwright's search attributes (RunStatus, ThreadId, AssistantId, Model) are added by the
# worker itself at start-up (core/temporal_client.ensure_search_attributes).
set -eu

: "${TEMPORAL_ADDRESS:=temporal:7233}"
: "${NAMESPACE:=default}"
: "${NAMESPACE_RETENTION:=72h}"

host=${TEMPORAL_ADDRESS%:*}
port=${TEMPORAL_ADDRESS##*:}
# The CLI prefers an IPv6 answer the server does not listen on; use the IPv4 address.
ip=$(getent ahostsv4 "$host" | awk 'NR == 1 { print $1 }')
address="${ip:-$host}:$port"

attempt=0
until temporal operator cluster health --address "$address"; do
    attempt=$((attempt + 1))
    if [ "$attempt" -ge 60 ]; then
        echo "Temporal at $address did not become healthy" >&2
        exit 1
    fi
    sleep 2
done

if temporal operator namespace describe --address "$address" --namespace "$NAMESPACE" >/dev/null 2>&1; then
    echo "namespace $NAMESPACE exists"
else
    temporal operator namespace create --address "$address" --namespace "$NAMESPACE" \
        --retention "$NAMESPACE_RETENTION"
    echo "namespace $NAMESPACE created"
fi
