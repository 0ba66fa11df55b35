#!/usr/bin/env bash
# Benchmark Faultline against nginx serving the same AfterShip 429 response.
#
# Build first (this script builds nothing):
#     swift build -c release --static-swift-stdlib -Xswiftc -Xclang-linker -Xswiftc -no-pie -Xswiftc -cross-module-optimization
#     (as the Docker image builds it; without the -no-pie flags, a position-independent binary)
# then, from anywhere (the script cd's to the repo root):
#     bash bench/run.sh
#
# Needs: wrk, nginx (Debian: apt-get install -y wrk nginx-light), curl, taskset,
# python3, and at least 2 CPUs (servers on SERVER_CPU, wrk on CLIENT_CPU).
#
# Environment:
#   FAULTLINE_BIN   server binary            (default .build/release/faultline)
#   SCENARIOS       scenarios directory      (default Scenarios)
#   ROUNDS          rounds of the side-by-side runs (default 3): each round runs keep-alive,
#                   close and -c1000 on both servers, alternating which goes first; the table
#                   gives each server's median and the median of the per-round ratios
#   DURATION        seconds per -c50 wrk run (default 10)
#   C1000_DURATION  seconds of the -c1000 run (default 5)
#   STARTUP_RUNS    spawns timed for "spawn -> first response" (median; default 5)
#   SERVER_CPU / CLIENT_CPU   CPUs for the servers / for wrk (default 0 / 1)
#   SETTLE          seconds to pause between wrk runs (default 1)
#   OUT             where the markdown table is written (default bench/results-latest.md)
#   KEEP_TMP=1      keep the temp dir (logs, raw wrk output) after the run
#
# What is measured, for each server in the same run (faultline, then nginx, per test):
#   - spawn -> first complete 429 response (python polls connect+GET, ~1 ms sleep)
#   - idle RSS (VmRSS, process + children) right after start, before any load
#   - wrk -t1 -c50 --latency, keep-alive: req/s, p50, p99
#   - wrk -t1 -c50 -H 'Connection: close': req/s
#   - wrk -t1 -c1000 -d5s: req/s and socket errors (connect/read/write/timeout)
# and for Faultline alone: Price2b's order list (a stateful answer of ~1.5 KB) plain and with
# Accept-Encoding: gzip, keep-alive -c50: the cost of compressing; and the same 429 over HTTPS
# (a second Faultline with --tls-self-signed), keep-alive and Connection: close.
#   - peak RSS (VmHWM, process + children) after all load
# Before measuring, both servers must answer 429 with exactly the expected body.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
cd "$REPO_ROOT"

BIN=${FAULTLINE_BIN:-.build/release/faultline}
SCENARIOS=${SCENARIOS:-Scenarios}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
C1000_DURATION=${C1000_DURATION:-5}
STARTUP_RUNS=${STARTUP_RUNS:-5}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
SETTLE=${SETTLE:-1}
OUT=${OUT:-bench/results-latest.md}
KEEP_TMP=${KEEP_TMP:-0}

URL_PATH=/aftership/v4/trackings
EXPECTED_STATUS=429
EXPECTED_BODY='{"meta":{"code":429,"type":"TooManyRequests","message":"You have exceeded the API call rate limit. The default limit is 10 requests per second."},"data":{}}'

log() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'run.sh: warning: %s\n' "$*" >&2; }
die() {
    printf '\nrun.sh: ERROR: %s\n\n' "$*" >&2
    exit 1
}

# --- preflight ---------------------------------------------------------------

for cmd in wrk nginx curl taskset python3 nproc pgrep; do
    if ! command -v "$cmd" >/dev/null 2>&1; then
        case $cmd in
            wrk | nginx) die "'$cmd' not found; install it with: apt-get install -y wrk nginx-light" ;;
            *) die "'$cmd' not found" ;;
        esac
    fi
done
NGINX=$(command -v nginx)

if [[ ! -x $BIN ]]; then
    die "Faultline binary '$BIN' not found or not executable.
Build it first with:  swift build -c release
(or point FAULTLINE_BIN at a binary)"
fi
[[ -d $SCENARIOS ]] || warn "scenarios directory '$SCENARIOS' does not exist"

if (($(nproc) < 2)); then
    warn "only $(nproc) CPU available; server and wrk will share a core and the numbers mean little"
fi

# 1000 concurrent connections need well over 1000 descriptors in wrk and the servers.
if ! ulimit -n 65536 2>/dev/null; then
    hard=$(ulimit -Hn)
    if [[ $hard == unlimited ]]; then hard=65536; fi
    ulimit -n "$hard"
    warn "could not raise the open-files limit to 65536 (not permitted here); using the hard limit $hard"
fi
NOFILE=$(ulimit -n)
if [[ $NOFILE != unlimited ]] && ((NOFILE < 2100)); then
    die "open-files limit is $NOFILE; need at least ~2100 for the 1000-connection test"
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/faultline-bench.XXXXXX")
chmod 755 "$TMP"
mkdir -p "$TMP/nginx"

# --- cleanup -------------------------------------------------------------------

# The servers run in their own process groups (first_response.py spawns them with
# setsid); their pids are in $TMP/<name>.pid. Kill exactly those groups.
# group_alive PGID: true while the group has a member that is not a zombie (the
# servers are orphans, reaped by init whenever it gets round to it).
group_alive() {
    ps -e -o pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }'
}
stop_group() {
    local pid=$1 i
    [[ $pid =~ ^[0-9]+$ ]] || return 0
    kill -TERM -- "-$pid" 2>/dev/null || return 0
    for ((i = 0; i < 50; i++)); do
        group_alive "$pid" || return 0
        sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$? name pidfile
    trap - EXIT INT TERM
    for name in faultline nginx; do
        pidfile=$TMP/$name.pid
        [[ -f $pidfile ]] && stop_group "$(<"$pidfile")"
    done
    if ((rc != 0)); then
        for name in faultline nginx; do
            if [[ -s $TMP/$name.log ]]; then
                printf '\n--- last lines of %s log (%s) ---\n' "$name" "$TMP/$name.log" >&2
                tail -n 20 "$TMP/$name.log" >&2
            fi
        done
        [[ -s $TMP/nginx/error.log ]] && {
            printf '\n--- nginx error.log ---\n' >&2
            tail -n 20 "$TMP/nginx/error.log" >&2
        }
        printf '\nrun.sh: failed (exit %d); temp dir kept: %s\n' "$rc" "$TMP" >&2
    elif [[ $KEEP_TMP == 1 ]]; then
        printf 'run.sh: temp dir kept: %s\n' "$TMP" >&2
    else
        rm -rf "$TMP"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- helpers -------------------------------------------------------------------

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_server NAME PORT -- CMD...: spawn (timed, STARTUP_RUNS times), leave the last one running.
start_server() {
    local name=$1 port=$2
    shift 3
    log "starting $name on port $port (spawn -> first response, $STARTUP_RUNS runs)"
    # The poller runs on the client CPU so that it does not steal the server's core.
    if ! taskset -c "$CLIENT_CPU" python3 bench/first_response.py \
        --port "$port" --path "$URL_PATH?scenario=429" --expect-status "$EXPECTED_STATUS" \
        --pidfile "$TMP/$name.pid" --log "$TMP/$name.log" --runs "$STARTUP_RUNS" \
        -- "$@" >"$TMP/$name.kv"; then
        die "$name did not start and answer $EXPECTED_STATUS"
    fi
    local pid
    pid=$(sed -n 's/^pid=//p' "$TMP/$name.kv")
    [[ $pid == "$(<"$TMP/$name.pid")" ]] || die "$name: pid mismatch"
    printf '%s\n' "$pid"
}

# sum_status PID FIELD: FIELD (kB) from /proc/*/status summed over PID and its children.
sum_status() {
    local pid=$1 field=$2 total=0 p v
    for p in "$pid" $(pgrep -P "$pid" || true); do
        v=$(awk -v f="$field:" '$1 == f { print $2 }' "/proc/$p/status" 2>/dev/null || true)
        total=$((total + ${v:-0}))
    done
    printf '%s\n' "$total"
}
main_status() {
    awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

check_alive() {
    local name=$1 pid=$2 when=$3
    kill -0 "$pid" 2>/dev/null || die "$name (pid $pid) is no longer running ($when)"
}

# verify NAME URL: status 429 and byte-exact expected body.
verify() {
    local name=$1 url=$2 code
    if ! code=$(curl -sS --max-time 5 -o "$TMP/$name.body" -D "$TMP/$name.headers" \
        -w '%{http_code}' "$url"); then
        die "$name: curl $url failed"
    fi
    if [[ $code != "$EXPECTED_STATUS" ]]; then
        die "$name: $url answered HTTP $code, expected $EXPECTED_STATUS"
    fi
    if ! cmp -s "$TMP/$name.body" "$TMP/expected.body"; then
        {
            echo "$name: response body differs from the expected body"
            echo "expected ($(wc -c <"$TMP/expected.body") bytes):"
            cat "$TMP/expected.body"
            echo
            echo "got ($(wc -c <"$TMP/$name.body") bytes):"
            cat "$TMP/$name.body"
            echo
        } >&2
        die "$name: body mismatch"
    fi
    log "$name: HTTP $code, body matches ($(wc -c <"$TMP/$name.body") bytes)"
}

# run_wrk NAME PID OUTFILE WRK-ARGS...
run_wrk() {
    local name=$1 pid=$2 out=$3
    shift 3
    log "$name: wrk $*"
    if ! taskset -c "$CLIENT_CPU" wrk "$@" >"$out" 2>&1; then
        cat "$out" >&2
        die "$name: wrk failed"
    fi
    grep -E '^(Requests/sec|  Socket errors)' "$out" | sed 's/^ */    /' >&2 || true
    check_alive "$name" "$pid" "after wrk $*"
    sleep "$SETTLE"
}

# --- start both servers --------------------------------------------------------

printf '%s' "$EXPECTED_BODY" >"$TMP/expected.body"

FL_PORT=$(free_port)
NG_PORT=$(free_port)
while [[ $NG_PORT == "$FL_PORT" ]]; do NG_PORT=$(free_port); done
FL_URL="http://127.0.0.1:$FL_PORT$URL_PATH?scenario=429"
NG_URL="http://127.0.0.1:$NG_PORT$URL_PATH?scenario=429"

sed -e "s|@PREFIX@|$TMP/nginx|g" -e "s|@PORT@|$NG_PORT|g" bench/nginx.conf.in >"$TMP/nginx/nginx.conf"
NGINX_ARGS=(-p "$TMP/nginx/" -c "$TMP/nginx/nginx.conf" -e "$TMP/nginx/error.log")
if ! "$NGINX" -t -q "${NGINX_ARGS[@]}" 2>"$TMP/nginx-t.log"; then
    cat "$TMP/nginx-t.log" >&2
    die "nginx rejected the generated config $TMP/nginx/nginx.conf"
fi

FL_PID=$(start_server faultline "$FL_PORT" -- \
    taskset -c "$SERVER_CPU" "$BIN" serve --host 127.0.0.1 --port "$FL_PORT" --scenarios "$SCENARIOS" \
    --rate-limit 'price2b=1000000000/1s')
NG_PID=$(start_server nginx "$NG_PORT" -- \
    taskset -c "$SERVER_CPU" "$NGINX" "${NGINX_ARGS[@]}")

# --- verify before measuring ---------------------------------------------------

verify faultline "$FL_URL"
verify nginx "$NG_URL"

# --- idle RSS ------------------------------------------------------------------

sleep 0.5 # let nginx's worker finish starting
for name in faultline nginx; do
    if [[ $name == faultline ]]; then pid=$FL_PID; else pid=$NG_PID; fi
    check_alive "$name" "$pid" "before load"
    {
        echo "idle_rss_kb=$(sum_status "$pid" VmRSS)"
        echo "idle_rss_kb_main=$(main_status "$pid" VmRSS)"
    } >>"$TMP/$name.kv"
done

# --- is the machine quiet? -----------------------------------------------------

# Anything else running on the benchmark CPUs skews every number; warn about it.
cpu_ticks() { # prints "busy total" for cpuN
    awk -v c="cpu$1" '$1 == c { t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t }' /proc/stat
}
read -r sb0 st0 < <(cpu_ticks "$SERVER_CPU")
read -r cb0 ct0 < <(cpu_ticks "$CLIENT_CPU")
sleep 1
read -r sb1 st1 < <(cpu_ticks "$SERVER_CPU")
read -r cb1 ct1 < <(cpu_ticks "$CLIENT_CPU")
SERVER_BUSY=$((100 * (sb1 - sb0) / ((st1 - st0) > 0 ? (st1 - st0) : 1)))
CLIENT_BUSY=$((100 * (cb1 - cb0) / ((ct1 - ct0) > 0 ? (ct1 - ct0) : 1)))
if ((SERVER_BUSY > 5 || CLIENT_BUSY > 5)); then
    warn "CPUs are not idle before the load (cpu$SERVER_CPU ${SERVER_BUSY}% busy, cpu$CLIENT_CPU ${CLIENT_BUSY}% busy); results will be noisy"
fi

# --- load ----------------------------------------------------------------------

# Side by side in rounds: the machine's speed drifts within a run, so each round compares
# the two servers a few seconds apart, the order swapped every round.
for ((round = 1; round <= ROUNDS; round++)); do
    if ((round % 2)); then order=(faultline nginx); else order=(nginx faultline); fi
    for name in "${order[@]}"; do
        if [[ $name == faultline ]]; then pid=$FL_PID url=$FL_URL; else pid=$NG_PID url=$NG_URL; fi
        run_wrk "$name" "$pid" "$TMP/$name.ka.$round.txt" -t1 -c50 -d"${DURATION}s" --latency "$url"
    done
    for name in "${order[@]}"; do
        if [[ $name == faultline ]]; then pid=$FL_PID url=$FL_URL; else pid=$NG_PID url=$NG_URL; fi
        run_wrk "$name" "$pid" "$TMP/$name.close.$round.txt" -t1 -c50 -d"${DURATION}s" -H 'Connection: close' "$url"
    done
    for name in "${order[@]}"; do
        if [[ $name == faultline ]]; then pid=$FL_PID url=$FL_URL; else pid=$NG_PID url=$NG_URL; fi
        run_wrk "$name" "$pid" "$TMP/$name.c1000.$round.txt" -t1 -c1000 -d"${C1000_DURATION}s" "$url"
    done
done

# gzip cost: Faultline alone, a larger stateful answer (Price2b's order list, ~1.5 KB, from
# the client's stored orders) plain and gzip-encoded. Price2b's limit is lifted for this.
GZ_URL="http://127.0.0.1:$FL_PORT/price2b/api/v1/orders"
GZ_HEADERS=(-H 'Authorization: Bearer bench' -H 'Accept: application/json')
run_wrk faultline "$FL_PID" "$TMP/faultline.plain.txt" -t1 -c50 -d"${DURATION}s" --latency "${GZ_HEADERS[@]}" "$GZ_URL"
run_wrk faultline "$FL_PID" "$TMP/faultline.gzip.txt" -t1 -c50 -d"${DURATION}s" --latency "${GZ_HEADERS[@]}" -H 'Accept-Encoding: gzip' "$GZ_URL"
{
    echo "plain_bytes=$(curl -s "${GZ_HEADERS[@]}" "$GZ_URL" | wc -c)"
    echo "gzip_bytes=$(curl -s "${GZ_HEADERS[@]}" -H 'Accept-Encoding: gzip' "$GZ_URL" | wc -c)"
} >>"$TMP/faultline.kv"

# HTTPS: a second Faultline with a self-signed certificate made at start, the same 429 over
# TLS (keep-alive, so the handshake is paid once per connection; then Connection: close, where
# every request pays a full handshake).
TLS_HTTP_PORT=$(free_port)
TLS_PORT=$(free_port)
while [[ $TLS_PORT == "$TLS_HTTP_PORT" ]]; do TLS_PORT=$(free_port); done
taskset -c "$SERVER_CPU" "$BIN" serve --host 127.0.0.1 --port "$TLS_HTTP_PORT" --scenarios "$SCENARIOS" \
    --tls-self-signed "$TMP/tls-cert.pem" --tls-port "$TLS_PORT" >"$TMP/faultline-tls.log" 2>&1 &
TLS_PID=$!
for _ in $(seq 100); do
    curl -s -o /dev/null --cacert "$TMP/tls-cert.pem" "https://localhost:$TLS_PORT$URL_PATH?scenario=429" && break
    sleep 0.05
done
TLS_URL="https://127.0.0.1:$TLS_PORT$URL_PATH?scenario=429"
run_wrk faultline "$TLS_PID" "$TMP/faultline.tls.txt" -t1 -c50 -d"${DURATION}s" --latency "$TLS_URL"
run_wrk faultline "$TLS_PID" "$TMP/faultline.tlsclose.txt" -t1 -c50 -d"${DURATION}s" -H 'Connection: close' "$TLS_URL"
kill "$TLS_PID" 2>/dev/null || true
wait "$TLS_PID" 2>/dev/null || true

# --- after load: still correct? peak RSS ----------------------------------------

verify faultline "$FL_URL"
verify nginx "$NG_URL"
for name in faultline nginx; do
    if [[ $name == faultline ]]; then pid=$FL_PID; else pid=$NG_PID; fi
    {
        echo "peak_rss_kb=$(sum_status "$pid" VmHWM)"
        echo "peak_rss_kb_main=$(main_status "$pid" VmHWM)"
    } >>"$TMP/$name.kv"
done

# --- report --------------------------------------------------------------------

{
    echo "date=$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "rounds=$ROUNDS"
    echo "duration=$DURATION"
    echo "c1000_duration=$C1000_DURATION"
    echo "startup_runs=$STARTUP_RUNS"
    echo "server_cpu=$SERVER_CPU"
    echo "client_cpu=$CLIENT_CPU"
    echo "nofile=$NOFILE"
    echo "idle_busy=cpu$SERVER_CPU ${SERVER_BUSY}%, cpu$CLIENT_CPU ${CLIENT_BUSY}%"
    echo "faultline_bin=$BIN"
    echo "url_faultline=$FL_URL"
    echo "url_nginx=$NG_URL"
    echo "wrk_version=$(wrk -v 2>&1 | head -n 1 | awk '{print $1, $2}')"
    echo "nginx_version=$("$NGINX" -v 2>&1 | sed 's/^nginx version: //')"
} >"$TMP/meta.kv"

mkdir -p "$(dirname "$OUT")"
python3 bench/report.py "$TMP" "$OUT"
log "written to $OUT"
