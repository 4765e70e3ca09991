#!/usr/bin/env bash
# Local durable service under load, and its SQLite store's start/save latency by stored executions (issue 13).
#
# 1. Load: a 3-step workflow started with Lambda Invoke over HTTP (RequestResponse) by 16 concurrent clients, 10,000
#    executions, for each service configuration: memory and sqlite (the service's defaults: the workflow checkpoints
#    in-process, SQLite synced at every commit), memory-http and sqlite-http (InvokeOverHttp = true: the workflow
#    checkpoints over HTTP as a deployed function does, which shows what the loopback round trips cost) and
#    sqlite-nosync (SyncEachCommit = false), after a warm-up of the process on each. Prints throughput, p50/p99 latency,
#    CPU and allocation per execution, SQLite transactions and bytes written to disk per execution, managed memory per
#    1,000 executions, and the same after the (fake) clock passed the retention period.
# 2. Store: start and save latency with 0, 10,000 and 100,000 ended executions stored (rows of one real execution
#    copied in SQL, then opened by a new service: what a restarted service sees).
# Ends with one line per target: "target met: ..." / "target not met: ...", with the measured value.
#
#   bash bench/service-load.sh
#   bash bench/service-load.sh --executions 2000 --stored 0,10000      # shorter
#   bash bench/service-load.sh --stores memory,memory-http --skip-latency   # options: see ServiceLoad/ServiceLoadBench.cs
#
# Measure on a quiet machine: the load average at start and end is printed; rerun when it was high.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build bench/Durable.Fluent.Benchmarks -c Release -v q -nologo >/dev/null \
  || { echo "ERROR: bench/Durable.Fluent.Benchmarks does not build (run the build without -v q to see why)."; exit 1; }
exec dotnet bench/Durable.Fluent.Benchmarks/bin/Release/net10.0/Durable.Fluent.Benchmarks.dll service-load "$@"
