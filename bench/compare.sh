#!/usr/bin/env bash
# Peer comparison: the same workflows in Durable.Fluent's local runner and in the official JS SDK's local runner
# (@aws/durable-execution-sdk-js-testing 1.1.4 + @aws/durable-execution-sdk-js 2.4.0, skipTime on), in one run.
# Prints a table of medians with the speed-up per case and ends with "min speedup vs peer: <N>x".
#
#   bash bench/compare.sh                      # defaults: JS 5 runs (fast case) / 3 runs (slow cases); .NET 21 runs
#   JS_RUNS=7 JS_SLOW_RUNS=3 DOTNET_RUNS=31 bash bench/compare.sh
#
# The JS runner takes ~20 ms per step here, so its slow cases (1,000 and 3,000 steps, 100 wait+step pairs) take
# seconds to a minute per run: the whole comparison takes a few minutes, almost all of it on the JS side.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
peer="$here/peer"
js_runs="${JS_RUNS:-5}"
js_slow_runs="${JS_SLOW_RUNS:-3}"
dotnet_runs="${DOTNET_RUNS:-21}"

command -v node >/dev/null || { echo "node (20+) is required" >&2; exit 1; }
command -v dotnet >/dev/null || { echo "the .NET SDK is required" >&2; exit 1; }

# 1. Install the two npm packages into bench/peer/node_modules (ignored by git), pinned by package.json / package-lock.json.
if [ ! -d "$peer/node_modules/@aws/durable-execution-sdk-js-testing" ] || [ ! -d "$peer/node_modules/@aws/durable-execution-sdk-js" ]; then
  echo "==> npm install (bench/peer)" >&2
  (cd "$peer" && npm install --no-audit --no-fund --loglevel=error --cache "$peer/.npm" >&2)
fi

# 2. Build the .NET side (Release).
echo "==> dotnet build bench/Durable.Fluent.Compare (Release)" >&2
dotnet build "$here/Durable.Fluent.Compare/Durable.Fluent.Compare.csproj" -c Release --nologo -v q >&2

# 3. Run the JS cases, then the .NET cases, which print the table against the JS results.
results="$peer/results-js.json"
echo "==> JS SDK local runner (runs: $js_runs fast / $js_slow_runs slow)" >&2
(cd "$peer" && node cases.mjs --out "$results" --runs "$js_runs" --slow-runs "$js_slow_runs")
echo "==> Durable.Fluent local runner (runs: $dotnet_runs)" >&2
dotnet "$here/Durable.Fluent.Compare/bin/Release/net10.0/Durable.Fluent.Compare.dll" --peer "$results" --runs "$dotnet_runs"
