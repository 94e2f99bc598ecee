#!/usr/bin/env bash
# Publishes Switchyard as one self-contained executable (no .NET install needed where it runs), then checks it:
# the binary starts on a free loopback port with the embedded default config and answers /health/liveliness and
# /health/readiness. Offline: the runtime packs come from the NuGet feed like any package.
#
#   scripts/publish.sh [RID]          # default linux-x64; e.g. linux-arm64, osx-arm64 (cross-published, not started)
#   out: artifacts/publish/<RID>/switchyard (+ config/default.yaml beside it)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

rid="${1:-linux-x64}"
out="artifacts/publish/$rid"
rm -rf "$out"
dotnet publish src/Switchyard/Switchyard.csproj -c Release -r "$rid" --self-contained \
  -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -p:DebugType=none \
  -o "$out" -nologo -v q
ls -l "$out"

host_rid="$(uname -s | tr '[:upper:]' '[:lower:]')-$(uname -m | sed 's/x86_64/x64/;s/aarch64/arm64/')"
if [ "$rid" != "$host_rid" ]; then
  echo "publish: $rid is not this machine's ($host_rid); not started"
  exit 0
fi

# The check: a clean environment (no dotnet on PATH, no DOTNET_ROOT), a temp HOME for the master key and store.
home="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo $(( (RANDOM % 20000) + 30000 )))"
env -i PATH=/usr/bin:/bin HOME="$home" "$out/switchyard" serve --port "$port" >"$home/out.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$home"' EXIT
for _ in $(seq 1 120); do
  if curl -sf "http://127.0.0.1:$port/health/liveliness" >/dev/null; then break; fi
  if ! kill -0 $pid 2>/dev/null; then echo "publish: the binary exited:"; cat "$home/out.log"; exit 1; fi
  sleep 0.5
done
live="$(curl -sf "http://127.0.0.1:$port/health/liveliness")" || { echo "publish: no answer on /health/liveliness:"; cat "$home/out.log"; exit 1; }
ready="$(curl -s "http://127.0.0.1:$port/health/readiness")"
echo "publish: $out/switchyard answers /health/liveliness: $live"
echo "publish: /health/readiness: $ready"
