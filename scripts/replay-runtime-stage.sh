#!/usr/bin/env bash
# Replays the Dockerfile's runtime stage without a Docker engine: a debootstrap'd bookworm root
# stands in for debian:bookworm-slim, the stage's RUN lines run in it, its COPY targets get the
# release binary and Scenarios/, and then, as in a container:
#   - the binary runs as the image's USER, as PID 1 of its own PID namespace, in its own network
#     namespace, with the image's ENV and ENTRYPOINT + CMD;
#   - it answers on the container's loopback, and the image's HEALTHCHECK command passes;
#   - SIGTERM from outside the namespace (as `docker stop` sends it) ends it, status 0, within a second.
# Needs root, debootstrap and Debian's mirror; where the machine lacks one, it says so and exits 0.
# Usage: scripts/replay-runtime-stage.sh [binary]   (default .build/release/faultline)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(readlink -f "${1:-.build/release/faultline}")
skip() { echo "replay-runtime-stage: skipped: $*"; exit 0; }

[ "$(id -u)" -eq 0 ] || skip "needs root (debootstrap, chroot, namespaces)"
[ -x "$bin" ] || { echo "replay-runtime-stage: $bin not found" >&2; exit 1; }
command -v unshare >/dev/null && command -v nsenter >/dev/null || skip "unshare/nsenter missing"
if ! command -v debootstrap >/dev/null; then
    apt-get install -y debootstrap >/dev/null 2>&1 || skip "debootstrap is not installed and cannot be"
fi
mirror=$( (grep -rhoE '(URIs:|deb) +https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null || true) | head -1 | awk '{print $2}')
mirror=${mirror:-http://deb.debian.org/debian}
unshare --net true 2>/dev/null || skip "this machine does not allow network namespaces"

python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore dockerfile-parse==2.0.1
eval "$(python3 scripts/dockerfile_facts.py Dockerfile)"

# The root is kept between runs on the same machine (debootstrap takes ~30 s); a fresh clone in CI builds it once.
rootfs=${FAULTLINE_REPLAY_ROOT:-/var/tmp/faultline-bookworm-rootfs}
if [ ! -x "$rootfs/usr/bin/apt-get" ]; then
    rm -rf "$rootfs"
    echo "debootstrap bookworm from $mirror into $rootfs"
    debootstrap --variant=minbase bookworm "$rootfs" "$mirror" > /tmp/faultline-debootstrap.log 2>&1 \
        || { tail -20 /tmp/faultline-debootstrap.log; skip "debootstrap could not reach $mirror"; }
fi
cp /etc/resolv.conf "$rootfs/etc/resolv.conf"

# The stage's RUN lines, in order, as root in the root (what `docker build` does).
in_root() { chroot "$rootfs" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive /bin/sh -c "$1"; }
userdel faultline --root "$rootfs" >/dev/null 2>&1 || true
groupdel faultline --root "$rootfs" >/dev/null 2>&1 || true
for ((n = 0; n < RUNTIME_RUN_COUNT; n++)); do
    var="RUNTIME_RUN_$n"
    echo "RUN ${!var}"
    in_root "${!var}" > /tmp/faultline-replay-run.log 2>&1 || { tail -20 /tmp/faultline-replay-run.log; echo "replay-runtime-stage: RUN failed" >&2; exit 1; }
done
# The COPY lines.
install -D -m 0755 "$bin" "$rootfs$BINARY_TARGET"
rm -rf "$rootfs$SCENARIOS_TARGET"
mkdir -p "$(dirname "$rootfs$SCENARIOS_TARGET")"
cp -r Scenarios "$rootfs$SCENARIOS_TARGET"

image_env=()
eval "image_env=($IMAGE_ENV)"
eval "command=($ENTRYPOINT_CMD)"
eval "health=($HEALTH_CMD)"
container_env=(/usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/ "${image_env[@]}")

# PID 1 of a new PID namespace with its own /proc (a --static-swift-stdlib binary reads its
# arguments from /proc/self/cmdline), its own network with loopback up, as the image's user.
log=$(mktemp)
unshare --fork --kill-child --pid --net --mount --mount-proc="$rootfs/proc" \
    /bin/sh -c 'ip link set lo up && exec chroot --userspec="$0" "$@"' "$IMAGE_UID:$IMAGE_GID" "$rootfs" "${container_env[@]}" "${command[@]}" \
    > "$log" 2>&1 &
outer=$!
container_pid=""
for _ in $(seq 1 100); do
    container_pid=$(pgrep -P "$outer" | head -1 || true)
    [ -n "$container_pid" ] && break
    sleep 0.02
done
[ -n "$container_pid" ] || { echo "replay-runtime-stage: the container process did not start" >&2; cat "$log" >&2; exit 1; }
# The container process itself too: a change of user clears its parent-death signal, so it
# would outlive unshare's --kill-child.
trap 'kill -9 "$container_pid" "$outer" 2>/dev/null || true; rm -f "$log"' EXIT
inside() { nsenter --target "$container_pid" --net --mount --pid chroot --userspec="$IMAGE_UID:$IMAGE_GID" "$rootfs" "${container_env[@]}" "$@"; }

healthy=0
for _ in $(seq 1 100); do
    if inside "${health[@]}" >/dev/null 2>&1; then healthy=1; break; fi
    sleep 0.05
done
[ "$healthy" -eq 1 ] || { echo "replay-runtime-stage: the HEALTHCHECK command never passed" >&2; cat "$log" >&2; exit 1; }
echo "HEALTHCHECK passed: ${health[*]}"

# The namespace's own /proc is mounted at the root's /proc, inside its mount namespace.
pid_inside=$(nsenter --target "$container_pid" --mount awk '/^NSpid:/ {print $NF}' "$rootfs/proc/1/status")
comm=$(nsenter --target "$container_pid" --mount cat "$rootfs/proc/1/comm")
uid_inside=$(awk '/^Uid:/ {print $2}' "/proc/$container_pid/status")
[ "$pid_inside" = 1 ] && [ "$comm" = faultline ] || { echo "replay-runtime-stage: PID 1 is $comm, not faultline" >&2; exit 1; }
[ "$uid_inside" = "$IMAGE_UID" ] || { echo "replay-runtime-stage: runs as uid $uid_inside, not $IMAGE_UID" >&2; exit 1; }
echo "faultline is PID 1, uid $uid_inside"

body=$(nsenter --target "$container_pid" --net curl -s "http://127.0.0.1:8080/aftership/v4/trackings/abc?scenario=429" || true)
echo "$body" | grep -q '"code":429' || { echo "replay-runtime-stage: unexpected answer on the container's port 8080: $body" >&2; cat "$log" >&2; exit 1; }
echo "answers on 0.0.0.0:8080 inside its network namespace"

start=$(date +%s%N)
kill -TERM "$container_pid"
# PID 1 without a SIGTERM handler ignores it: give up after Docker's default 10 s stop timeout.
for _ in $(seq 1 200); do kill -0 "$outer" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$outer" 2>/dev/null; then
    echo "replay-runtime-stage: still running 10 s after SIGTERM (docker stop would kill it)" >&2
    exit 1
fi
status=0
wait "$outer" || status=$?
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$status" -eq 0 ] || { echo "replay-runtime-stage: exit status $status after SIGTERM" >&2; cat "$log" >&2; exit 1; }
[ "$elapsed_ms" -lt 1000 ] || { echo "replay-runtime-stage: took $elapsed_ms ms to stop on SIGTERM" >&2; exit 1; }
echo "SIGTERM to PID 1: exit 0 after $elapsed_ms ms"
grep -q "listening on http://0.0.0.0:8080" "$log" || { echo "replay-runtime-stage: start-up line missing" >&2; cat "$log" >&2; exit 1; }
echo "replay-runtime-stage: all checks passed"
