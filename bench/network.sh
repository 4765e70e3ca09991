#!/usr/bin/env bash
# Network-shaped benchmark (issue 15): checkpoint round trips on a simulated network.
#
# The local durable service (in memory, its clock x100 so a 1 s wait takes 10 ms) runs behind a latency-injecting HTTP
# proxy that adds a fixed round-trip time to every request; every SDK under test checkpoints through that proxy, and each
# invocation pays one RTT too (the service-to-function hop). Four workflows, at each RTT, per column:
#
#   100 sequential at-least-once steps | 100 at-most-once steps | map of 100 step items at concurrency 10 | 20 wait+step pairs
#
# Columns: Durable.Fluent in synchronous checkpoint mode (the default), in pipelined mode (WorkflowOptions.CheckpointMode),
# and the official JS SDK (tools/js-host/host.mjs, registered by URL) on the same service and proxy. Prints wall time (median),
# CheckpointDurableExecution requests and bytes (request + response bodies) per case, then one line per target:
# "target: ...: met (figure)" or "NOT met (figure)".
#
#   bash bench/network.sh                      # RTT 0, 5, 20 ms; 3 runs per cell
#   RTTS=20 RUNS=5 bash bench/network.sh       # only 20 ms, 5 runs
#   CLOCK=1 bash bench/network.sh              # real-time waits (1 s each)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
rtts="${RTTS:-0,5,20}"
runs="${RUNS:-3}"
clock="${CLOCK:-100}"

command -v dotnet >/dev/null || { echo "the .NET SDK is required" >&2; exit 1; }

echo "==> dotnet build bench/Durable.Fluent.Network (Release)" >&2
dotnet build "$here/Durable.Fluent.Network/Durable.Fluent.Network.csproj" -c Release --nologo -v q >&2

# The JS SDK column: the same four workflows (bench/peer/network-workflows.mjs) with @aws/durable-execution-sdk-js, pinned by
# bench/peer/package.json + package-lock.json (installed into bench/peer/node_modules, ignored by git), served by
# tools/js-host/host.mjs and registered with the local service by URL.
command -v node >/dev/null || { echo "node (20+) is required for the JS SDK column" >&2; exit 1; }
peer="$here/peer"
if [ ! -d "$peer/node_modules/@aws/durable-execution-sdk-js" ]; then
  echo "==> npm install (bench/peer)" >&2
  (cd "$peer" && npm install --no-audit --no-fund --loglevel=error --cache "$peer/.npm" >&2)
fi

echo "==> network benchmark (RTT: $rtts ms; runs: $runs; service clock x$clock)" >&2
dotnet "$here/Durable.Fluent.Network/bin/Release/net10.0/Durable.Fluent.Network.dll" --rtt "$rtts" --runs "$runs" --clock "$clock" \
  --js-host "$here/../tools/js-host/host.mjs" --js-workflows "$peer/network-workflows.mjs"
