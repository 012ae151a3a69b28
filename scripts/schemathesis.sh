#!/usr/bin/env bash
# Run schemathesis against our own OpenAPI schema on a live server with demo data:
# no server errors and responses that conform to the schema. Bounded in examples and time.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'kill ${server:-0} 2>/dev/null || true; rm -rf "$work"' EXIT
export QINGDAN_DATA_DIR="$work" DATABASE_URL="sqlite:///$work/st.sqlite3" DEBUG=false
export QINGDAN_TRIAGE_STRICT=0
# DEBUG is off as in production, so the server needs a key of its own (throw-away data).
export SECRET_KEY="${SECRET_KEY:-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')}"
.venv/bin/qingdan demo --no-serve >/dev/null
token=$(.venv/bin/qingdan issue-token supervisor)
port=${SCHEMATHESIS_PORT:-8103}
.venv/bin/qingdan runserver "127.0.0.1:$port" --noreload >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 60); do curl -fs "http://127.0.0.1:$port/api/v1/schema/" >/dev/null && break; sleep 0.5; done
.venv/bin/schemathesis run "http://127.0.0.1:$port/api/v1/schema/" \
  -H "Authorization: Token $token" \
  --checks not_a_server_error,response_schema_conformance \
  --max-examples "${SCHEMATHESIS_EXAMPLES:-5}" --phases "${SCHEMATHESIS_PHASES:-examples,fuzzing}" \
  --request-timeout 20 "$@"
