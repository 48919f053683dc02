#!/usr/bin/env bash
# Events per second of both engines from 10 thousand to a million clients, on the heartbeat-and-expiry
# workload (Benchmarks/heartbeat-expiry.json) and the bundled family-chat scenario.
#
#   Benchmarks/engine_scaling.sh                       # build in release mode, run everything (about 15 min)
#   PRESENCE_SIM=.build/release/presence-sim Benchmarks/engine_scaling.sh
#   SIZES="10000 100000" ENGINES=events Benchmarks/engine_scaling.sh
#
# One run at a time. Durations shrink with size so that each run takes about a minute or two: 1 h of
# simulated time up to 100k clients, 10 min at 1M (family-chat with a 2 min warm-up and without its
# faults, which fall after 10 min). Prints one row per run: the report's `run` block (events, wall
# seconds, events/s, peak memory, fingerprint). Both engines must print the same fingerprint for a
# workload and size.
set -euo pipefail
cd "$(dirname "$0")/.."

binary=${PRESENCE_SIM:-}
if [ -z "$binary" ]; then
    swift build -c release --scratch-path .build --product presence-sim >&2
    binary=.build/release/presence-sim
fi
sizes=${SIZES:-"10000 100000 1000000"}
engines=${ENGINES:-"events actors"}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

printf '%-16s %9s %-7s %12s %8s %12s %9s  %s\n' workload clients engine events wall_s events/s peak_MiB fingerprint
for workload in heartbeat-expiry family-chat; do
    for clients in $sizes; do
        case $workload in
            heartbeat-expiry) file=Benchmarks/heartbeat-expiry.json; sets=() ;;
            family-chat) file=Scenarios/family-chat.json; sets=() ;;
        esac
        if [ "$clients" -ge 1000000 ]; then
            sets+=(--set duration=10m)
            [ "$workload" = family-chat ] && sets+=(--set warmup=2m --set 'faults=[]')
        fi
        for engine in $engines; do
            # Exit code 2 is a failed scenario threshold (family-chat's), not a failed run.
            "$binary" run "$file" --set "clients=$clients" "${sets[@]}" --engine "$engine" --quiet \
                --out "$out/run" || [ $? -eq 2 ]
            python3 - "$out/run/report.json" "$workload" "$clients" <<'EOF'
import json, sys
run = json.load(open(sys.argv[1]))["run"]
print(f"{sys.argv[2]:<16} {int(sys.argv[3]):>9} {run['engine']:<7} {run['events']:>12} {run['wallSeconds']:>8.1f} "
      f"{run['eventsPerSecond']:>12.0f} {run['peakMemoryBytes'] / 2**20:>9.0f}  {run['fingerprint']}")
EOF
        done
    done
done
