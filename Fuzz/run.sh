#!/usr/bin/env bash
# Builds the fuzz targets with libFuzzer and runs them for a bounded time.
#
#   Fuzz/run.sh [scenario|report|all] [seconds]     # default: all, 600 seconds per target
#   Fuzz/run.sh regress                             # replay Fuzz/Regressions/* through both targets
#
# FuzzScenario feeds scenario files to ScenarioLoader; FuzzReport feeds report and sweep files to what
# `compare` and `merge` do with them. Each run starts from the seeds (Scenarios/*.json and the test
# fixtures; Reports/baselines/*.json and Fuzz/Seeds/report) plus the corpus earlier runs grew in
# Fuzz/.corpus (not committed). Findings land in Fuzz/.artifacts/<target>/ (crash-*, timeout-*, oom-*):
# an input that traps, takes longer than 10 s, or grows the process beyond 2 GB. Move each one into
# Fuzz/Regressions/ and into a test once it is fixed.
#
# Needs a Swift toolchain whose compiler ships libFuzzer (swift.org toolchains on Linux do).
set -euo pipefail
cd "$(dirname "$0")"
# libFuzzer, not the Swift runtime, must handle a crash: it saves the input that caused it.
export SWIFT_BACKTRACE=enable=no

targets="${1:-all}"
seconds="${2:-600}"
# gold fails to link libFuzzer into a SwiftPM executable ("internal error in format_file_lineno"); lld works.
build_flags=(-c release --scratch-path .build -Xswiftc -sanitize=fuzzer -Xswiftc -use-ld=lld)

build() {
    swift build "${build_flags[@]}" --product "$1"
}

binary() {
    echo "$(swift build "${build_flags[@]}" --show-bin-path)/$1"
}

seed() {
    local name="$1"
    shift
    mkdir -p ".corpus/$name" ".artifacts/$name"
    for file in "$@"; do
        [ -f "$file" ] && cp "$file" ".corpus/$name/seed-$(basename "$(dirname "$file")")-$(basename "$file")"
    done
    return 0
}

fuzz() {
    local name="$1" product="$2"
    shift 2
    build "$product"
    echo "== $product: $seconds s"
    "$(binary "$product")" ".corpus/$name" -artifact_prefix=".artifacts/$name/" -max_total_time="$seconds" \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$@"
}

case "$targets" in
regress)
    for product in FuzzScenario FuzzReport; do
        build "$product"
        "$(binary "$product")" Regressions/*
    done
    exit 0
    ;;
scenario | report | all) ;;
*)
    echo "usage: $0 [scenario|report|all] [seconds] | $0 regress" >&2
    exit 64
    ;;
esac

if [ "$targets" = scenario ] || [ "$targets" = all ]; then
    seed scenario ../Scenarios/*.json ../Tests/ScenarioTests/Fixtures/valid/*.json \
        ../Tests/ScenarioTests/Fixtures/broken/*.json
    fuzz scenario FuzzScenario -dict=scenario.dict
fi
if [ "$targets" = report ] || [ "$targets" = all ]; then
    seed report ../Reports/baselines/*.json Seeds/report/*.json
    fuzz report FuzzReport -dict=report.dict
fi
