#!/usr/bin/env bash
# Builds faultline-fuzz with libFuzzer and runs each fuzz target for SECONDS (default 60).
#   scripts/fuzz.sh [SECONDS] [TARGET...]
# Each target starts from its seed corpus (Fuzz/corpus/TARGET, plus Scenarios/ for
# scenario-file) and every input that once failed (Fuzz/regressions/TARGET); what it finds
# new goes to .build-fuzz/runs/TARGET/corpus, a crash or a hang to .build-fuzz/runs/TARGET/
# artifacts. A crash, a hang (an input over 10 s) or an out-of-memory (2 GiB) fails the run;
# commit the input under Fuzz/regressions/TARGET/ with the fix, so the test suite replays it.
# FUZZ_ASAN=1 (the default) adds AddressSanitizer, for the code that reads through unsafe
# pointers (the parser, the socket layer); FUZZ_ASAN=0 runs about twice as many inputs.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
if [ "$#" -gt 0 ]; then targets=("$@"); else targets=(http-parser request admin template scenario-file specs pattern); fi

sanitizers=fuzzer
scratch=.build-fuzz
if [ "${FUZZ_ASAN:-1}" = 1 ]; then
    sanitizers=fuzzer,address
    scratch=.build-fuzz-asan
    # LeakSanitizer cannot follow pointers Swift keeps in an enum payload's spare bits, so it
    # reports values that are still reachable (the catalog every input shares) as leaks.
    export ASAN_OPTIONS=detect_leaks=0
fi
# lld: the toolchain's gold fails on libFuzzer's main beside SwiftPM's renamed one.
swift build -c release --product faultline-fuzz --scratch-path "$scratch" \
    -Xswiftc -sanitize="$sanitizers" -Xswiftc -DFAULTLINE_LIBFUZZER -Xswiftc -use-ld=lld
binary=$scratch/release/faultline-fuzz
runs=.build-fuzz/runs
echo "sanitizers: $sanitizers"
failed=()
printf '%-14s %12s %10s %8s  %s\n' target executions "exec/s" corpus result
for target in "${targets[@]}"; do
    work="$runs/$target"
    mkdir -p "$work/corpus" "$work/artifacts"
    seeds=("Fuzz/corpus/$target")
    [ "$target" = scenario-file ] && seeds+=(Scenarios)
    [ -d "Fuzz/regressions/$target" ] && seeds+=("Fuzz/regressions/$target")
    max_len=4096
    [ "$target" = scenario-file ] && max_len=65536
    status=0
    SWIFT_BACKTRACE=enable=no "$binary" "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len="$max_len" -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
        "$work/corpus" "${seeds[@]}" > "$work/log" 2>&1 || status=$?
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log" | tail -1)
    corpus=$(find "$work/corpus" -type f | wc -l)
    if [ "$status" -eq 0 ]; then result=ok; else result="FAILED (exit $status)"; failed+=("$target"); fi
    printf '%-14s %12s %10s %8s  %s\n' "$target" "${executions:-?}" "${rate:-?}" "$corpus" "$result"
done
for target in "${failed[@]}"; do
    echo "--- $target: last lines of $runs/$target/log" >&2
    grep -v '^    #' "$runs/$target/log" | tail -25 >&2
    ls "$runs/$target/artifacts" >&2
done
[ "${#failed[@]}" -eq 0 ]
