#!/usr/bin/env bash
# Cold start, JIT vs Native AOT, side by side in one run.
#
# Publishes examples/AotFunction (a three-step durable workflow) twice — framework-dependent JIT and Native AOT — then runs
# each as a whole new process RUNS times, alternating, and prints wall time and peak RSS with their ratio. Each process runs
# the workflow through DurableTestRunner and serves one real invocation over HTTP against a fake Runtime API and durable
# execution API (bench/coldstart.py), so the AOT binary exercises the envelope, checkpoint and REST JSON, SigV4 signing
# and the HTTP client. Target: AOT <= 25 % of JIT wall time.
#
#   bash bench/coldstart.sh            # RUNS=15 by default
#   RUNS=30 bash bench/coldstart.sh
#
# Needs: the .NET SDK, python3, and the native toolchain Native AOT links with (Debian: clang, zlib1g-dev). Missing
# packages are installed with apt-get when running as root; otherwise the script stops and says what to install.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${RUNS:-15}"
OUT=artifacts/coldstart
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# --- native toolchain (Native AOT links with clang and needs zlib headers) ----------------------------------------------
missing=()
command -v clang >/dev/null 2>&1 || missing+=(clang)
dpkg -s zlib1g-dev >/dev/null 2>&1 || missing+=(zlib1g-dev)
if ((${#missing[@]})); then
  echo "Native AOT needs the Debian packages: ${missing[*]} (missing)."
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing them with apt-get ..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" \
      || { echo "ERROR: apt-get could not install ${missing[*]}; Native AOT cannot link without them."; exit 1; }
  else
    echo "ERROR: install them first: sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
fi
command -v python3 >/dev/null 2>&1 || { echo "ERROR: python3 is needed for the fake Lambda APIs (apt-get install -y python3)."; exit 1; }
echo "toolchain: $(clang --version | head -1); zlib1g-dev $(dpkg-query -W -f='${Version}' zlib1g-dev)"

# --- publish both builds of the same project -----------------------------------------------------------------------------
rm -rf "$OUT" && mkdir -p "$OUT"
echo "==> publish JIT (framework-dependent)"
dotnet publish examples/AotFunction/AotFunction.csproj -c Release -p:PublishAot=false -o "$OUT/jit" > "$OUT/publish-jit.log" 2>&1 \
  || { tail -30 "$OUT/publish-jit.log"; exit 1; }
echo "==> publish Native AOT"
# Our projects treat warnings as errors; for the count the publish runs with them as warnings so that none is hidden.
dotnet publish examples/AotFunction/AotFunction.csproj -c Release -p:PublishAot=true -p:TreatWarningsAsErrors=false -o "$OUT/aot" \
  > "$OUT/publish-aot.log" 2>&1 || { tail -30 "$OUT/publish-aot.log"; exit 1; }

warnings=$(grep -E "warning (IL[0-9]+|CS[0-9]+)" "$OUT/publish-aot.log" | sed 's/ \[.*\]$//' | sort -u || true)
ours=$(echo "$warnings" | grep -E "Durable\.Fluent|AotFunction|examples/" || true)
echo "trim/AOT warnings in the AOT publish: $(echo -n "$warnings" | grep -c . || true) in all, $(echo -n "$ours" | grep -c . || true) from our assemblies"
if [ -n "$warnings" ]; then echo "$warnings"; fi
[ -z "$ours" ] || { echo "ERROR: our assemblies produce trim/AOT warnings (above)."; exit 1; }
ls -la "$OUT/aot/bootstrap" "$OUT/jit/bootstrap"

# --- measure -------------------------------------------------------------------------------------------------------------
echo "==> $RUNS runs each, alternating"
python3 bench/coldstart.py --jit "$OUT/jit/bootstrap" --aot "$OUT/aot/bootstrap" --runs "$RUNS" --markdown "$OUT/coldstart.md"
