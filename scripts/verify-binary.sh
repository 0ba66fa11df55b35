#!/usr/bin/env bash
# Checks a release binary of faultline as the Docker build stage links it: no full Foundation,
# no ICU, no FoundationNetworking, only the shared libraries the runtime stage provides, and
# linked at a fixed address (-no-pie; see the Dockerfile).
# Usage: scripts/verify-binary.sh [path]   (default .build/release/faultline)
set -euo pipefail
bin=${1:-.build/release/faultline}
[ -x "$bin" ] || { echo "verify-binary: $bin not found; build with: swift build -c release --static-swift-stdlib -Xswiftc -Xclang-linker -Xswiftc -no-pie -Xswiftc -cross-module-optimization" >&2; exit 1; }

fail=0
if nm "$bin" 2>/dev/null | grep -qiE 'FoundationInternationalization|_FoundationICU|ucol_open|FoundationNetworking'; then
    echo "verify-binary: $bin contains full Foundation or ICU symbols" >&2
    fail=1
fi
if ! readelf -h "$bin" | grep -qE 'Type:[[:space:]]+EXEC'; then
    echo "verify-binary: $bin is position-independent; the Docker build links it with -no-pie" >&2
    fail=1
fi
allowed='^(linux-vdso\.so\.1|libssl\.so\.3|libcrypto\.so\.3|libz\.so\.1|libm\.so\.6|libstdc\+\+\.so\.6|libgcc_s\.so\.1|libc\.so\.6|/lib64/ld-linux-x86-64\.so\.2)$'
while read -r lib; do
    if ! [[ "$lib" =~ $allowed ]]; then
        echo "verify-binary: unexpected shared library: $lib" >&2
        fail=1
    fi
done < <(ldd "$bin" | awk '{print $1}')
[ "$fail" -eq 0 ] && echo "verify-binary: $bin links only: $(ldd "$bin" | awk '{print $1}' | tr '\n' ' ')"
exit "$fail"
