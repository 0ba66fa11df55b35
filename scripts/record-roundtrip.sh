#!/usr/bin/env bash
# Record -> file -> serve -> compare -> drift with the real binary and no network. The "real API"
# is a second faultline serving the bundled generic vendor over HTTPS with a self-signed
# certificate; `faultline record` proxies to it (verifying it with --upstream-ca); the written
# file must pass `faultline validate` and the JSON Schema, answer every recorded request as the
# upstream did (status and body byte for byte), and show no drift against the upstream.
#
# Usage: scripts/record-roundtrip.sh path/to/faultline [transcript-file]
# The transcript (commands and their output) is what the README's walkthrough shows.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=$(realpath "${1:?usage: record-roundtrip.sh path/to/faultline [transcript]}")
transcript=${2:-/dev/null}
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do { wait "$pid"; } 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
fail() { echo "record-roundtrip: $*" >&2; exit 1; }
wait_for() {
    for _ in $(seq 1 200); do
        curl -s -o /dev/null "$@" && return 0
        sleep 0.025
    done
    fail "no answer from $*"
}

upstream_port=$(free_port)
record_port=$(free_port)
replay_port=$(free_port)

"$bin" serve --port "$upstream_port" --scenarios Scenarios --vendor generic --tls-self-signed "$work/upstream.pem" >"$work/upstream.log" 2>&1 &
pids+=($!)
wait_for --cacert "$work/upstream.pem" "https://localhost:$upstream_port/__faultline/health"

mkdir -p "$work/vendors"
"$bin" record --upstream "https://localhost:$upstream_port" --upstream-ca "$work/upstream.pem" --vendor acme --out "$work/vendors" --port "$record_port" >"$work/record.log" 2>&1 &
recorder=$!
pids+=("$recorder")
wait_for "http://127.0.0.1:$record_port/__faultline/record"

auth='Authorization: Bearer sk_test_walkthrough'
json='Content-Type: application/json'
# name|method|path|body|with-auth
requests=(
    "list|GET|/api/v1/users?limit=2||yes"
    "create|POST|/api/v1/users|{\"user_id\":\"u_1001\",\"email\":\"ada@example.com\",\"name\":\"Ada\"}|yes"
    "get|GET|/api/v1/users/u_1001||yes"
    "missing|GET|/api/v1/users/u_1002||yes"
    "anonymous|GET|/api/v1/users||no"
    "invalid|POST|/api/v1/users|{\"email\":\"not-an-email\"}|yes"
)
ask() { # port name method path body with-auth -> writes $work/<port>-<name>.{status,body}
    local port=$1 name=$2 method=$3 path=$4 body=$5 with=$6
    local args=(-s -X "$method" -o "$work/$port-$name.body" -w '%{http_code}')
    [ "$with" = yes ] && args+=(-H "$auth")
    [ -n "$body" ] && args+=(-H "$json" --data-binary "$body")
    curl "${args[@]}" "http://127.0.0.1:$port$path" >"$work/$port-$name.status"
}

{
    echo "\$ faultline serve --vendor generic --tls-self-signed upstream.pem   # the real API, here"
    echo "\$ faultline record --upstream https://localhost:$upstream_port --upstream-ca upstream.pem --vendor acme --out vendors --port $record_port"
    head -n 1 "$work/record.log"
} >"$transcript"
for line in "${requests[@]}"; do
    IFS='|' read -r name method path body with <<<"$line"
    ask "$record_port" "$name" "$method" "$path" "$body" "$with"
    echo "\$ curl -X $method$([ "$with" = yes ] && echo " -H '$auth'") http://127.0.0.1:$record_port$path$([ -n "$body" ] && echo " -d '$body'")" >>"$transcript"
    echo "$(cat "$work/$record_port-$name.status") $(cat "$work/$record_port-$name.body")" >>"$transcript"
done

kill -TERM "$recorder"
status=0
wait "$recorder" || status=$?
[ "$status" -eq 0 ] || { cat "$work/record.log" >&2; fail "record exited with $status on SIGTERM"; }
{ echo "\$ kill -TERM <record>"; tail -n +2 "$work/record.log"; } >>"$transcript"

file="$work/vendors/acme.json"
for secret in sk_test_walkthrough; do
    ! grep -q "$secret" "$file" || fail "$secret reached $file"
done
"$bin" validate "$work/vendors" >"$work/validate.log" || { cat "$work/validate.log" >&2; fail "the recorded file does not validate"; }
{ echo "\$ faultline validate vendors"; cat "$work/validate.log"; } >>"$transcript"
if python3 -c 'import jsonschema' 2>/dev/null; then
    python3 - "$file" <<'PY'
import json, sys, jsonschema
schema = json.load(open("Scenarios/schema.json"))
errors = list(jsonschema.Draft202012Validator(schema).iter_errors(json.load(open(sys.argv[1]))))
for error in errors:
    print(f"{sys.argv[1]}: {error.json_path}: {error.message}", file=sys.stderr)
sys.exit(1 if errors else 0)
PY
fi

# Served: the same requests, without naming any scenario, get the upstream's answers byte for byte.
"$bin" serve --port "$replay_port" --scenarios "$work/vendors" --vendor acme >"$work/replay.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$replay_port/__faultline/health"
for line in "${requests[@]}"; do
    IFS='|' read -r name method path body with <<<"$line"
    ask "$replay_port" "$name" "$method" "$path" "$body" "$with"
    cmp -s "$work/$record_port-$name.status" "$work/$replay_port-$name.status" || fail "$name: status $(cat "$work/$replay_port-$name.status"), recorded $(cat "$work/$record_port-$name.status")"
    cmp -s "$work/$record_port-$name.body" "$work/$replay_port-$name.body" || fail "$name: body $(cat "$work/$replay_port-$name.body"), recorded $(cat "$work/$record_port-$name.body")"
done
echo "\$ faultline serve --scenarios vendors --vendor acme   # each request above, replayed: same status and body" >>"$transcript"

# Drift: the upstream still answers as recorded.
drift_status=0
"$bin" drift --against "https://localhost:$upstream_port" --upstream-ca "$work/upstream.pem" --vendor acme --scenarios "$work/vendors" --header "$auth" >"$work/drift.log" 2>&1 || drift_status=$?
{ echo "\$ faultline drift --against https://localhost:$upstream_port --upstream-ca upstream.pem --vendor acme --scenarios vendors --header '$auth'"; cat "$work/drift.log"; } >>"$transcript"
[ "$drift_status" -eq 0 ] || { cat "$work/drift.log" >&2; fail "drift exited with $drift_status"; }

echo "record-roundtrip: recorded ${#requests[@]} requests over HTTPS, the file validates, replays them byte for byte and shows no drift"
