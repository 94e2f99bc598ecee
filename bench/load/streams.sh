#!/usr/bin/env bash
# Streaming in every ingress format (issue 8): first-byte and chunk-delay figures for Chat Completions, Anthropic
# Messages and OpenAI Responses, translated (chat upstream) and native (Anthropic upstream), beside the upstream
# reached directly; then N concurrent idle streams held open through the gateway with its resident memory per stream.
#
#   bench/load/streams.sh          # builds Release unless SKIP_BUILD=1; prints two markdown tables
#
# Knobs: PROBE_COUNT=200 (sequential streams per probe row, 0 skips), IDLE=1000 (concurrent idle streams per idle row, 0 skips),
#        UP_PORT=5065 GW_PORT=5066
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
PROBE_COUNT=${PROBE_COUNT:-200}; IDLE=${IDLE:-1000}
UP_PORT=${UP_PORT:-5065}; GW_PORT=${GW_PORT:-5066}
MASTER_KEY=sk-bench-master-key-0001
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
log() { printf '%s\n' "streams.sh: $*" >&2; }

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    log "building Release"
    dotnet build src/Switchyard/Switchyard.csproj -c Release -nologo -v q -warnaserror >&2
    dotnet build bench/FakeUpstream/FakeUpstream.csproj -c Release -nologo -v q -warnaserror >&2
fi
GATEWAY_DLL=$ROOT/src/Switchyard/bin/Release/net10.0/switchyard.dll
UPSTREAM_DLL=$ROOT/bench/FakeUpstream/bin/Release/net10.0/fake-upstream.dll

WORK=$(mktemp -d /tmp/switchyard-streams.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

wait_http() { for _ in $(seq 1 300); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.2; done; log "nothing at $1"; return 1; }

dotnet "$UPSTREAM_DLL" --port "$UP_PORT" --probe-gap-ms 50 >"$WORK/upstream.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$UP_PORT/"

cat >"$WORK/gateway.yaml" <<YAML
model_list:
  - model_name: bench.probe
    litellm_params: { model: openai/gpt-4o-mini, api_base: "http://127.0.0.1:$UP_PORT/probe/v1", api_key: sk-bench-upstream }
  - model_name: bench.probe.claude
    litellm_params: { model: anthropic/claude-bench, api_base: "http://127.0.0.1:$UP_PORT/probe", api_key: sk-bench-upstream }
  - model_name: bench.idle
    litellm_params: { model: openai/gpt-4o-mini, api_base: "http://127.0.0.1:$UP_PORT/idle/v1", api_key: sk-bench-upstream, timeout: 3600, stream_timeout: 60 }
  - model_name: bench.idle.claude
    litellm_params: { model: anthropic/claude-bench, api_base: "http://127.0.0.1:$UP_PORT/idle", api_key: sk-bench-upstream, timeout: 3600, stream_timeout: 60 }
general_settings:
  master_key: $MASTER_KEY
switchyard:
  store:
    sqlite_path: $WORK/switchyard.db
YAML
start_gateway() {
    dotnet "$GATEWAY_DLL" --config "$WORK/gateway.yaml" --port "$GW_PORT" >"$WORK/gateway.log" 2>&1 &
    GW_PID=$!; PIDS+=("$GW_PID")
    wait_http "http://127.0.0.1:$GW_PORT/health/liveliness"
}
start_gateway
GW=http://127.0.0.1:$GW_PORT/v1

if [ "$PROBE_COUNT" -gt 0 ]; then
    probe() { dotnet "$UPSTREAM_DLL" probe --count "$PROBE_COUNT" --key "$MASTER_KEY" "$@"; }
    echo
    echo "| path | streams | first byte p50 ms | first byte p99 ms | chunk 1 delay p50 ms | chunk 1 delay p99 ms | chunk 2 delay p50 ms | chunk 2 delay p99 ms | chunk 2 delay max ms |"
    echo "|---|---|---|---|---|---|---|---|---|"
    probe --url "http://127.0.0.1:$UP_PORT/probe/v1/chat/completions" --label "direct: chat upstream"
    probe --url "http://127.0.0.1:$UP_PORT/probe/v1/messages" --format messages --label "direct: anthropic upstream"
    probe --url "$GW/chat/completions" --model bench.probe --label "chat -> openai (relayed)"
    probe --url "$GW/messages" --model bench.probe.claude --format messages --label "messages -> anthropic (native)"
    probe --url "$GW/messages" --model bench.probe --format messages --label "messages -> openai (translated)"
    probe --url "$GW/responses" --model bench.probe --format responses --label "responses -> openai chat (translated)"
    probe --url "$GW/chat/completions" --model bench.probe.claude --label "chat -> anthropic (translated)"
fi

if [ "$IDLE" -gt 0 ]; then
    # each row in a fresh gateway process: memory a process grew to for one row is not returned for the next
    idle() {
        kill "$GW_PID"; wait "$GW_PID" 2>/dev/null || true
        start_gateway
        dotnet "$UPSTREAM_DLL" idle --count "$IDLE" --key "$MASTER_KEY" --pid "$GW_PID" "$@"
    }
    echo
    echo "| ingress -> upstream | idle streams | gateway RSS before MB | RSS with streams open MB | KB per stream |"
    echo "|---|---|---|---|---|"
    idle --url "$GW/chat/completions" --model bench.idle --label "chat -> openai"
    idle --url "$GW/messages" --model bench.idle.claude --format messages --label "messages -> anthropic (native)"
    idle --url "$GW/messages" --model bench.idle --format messages --label "messages -> openai (translated)"
    idle --url "$GW/responses" --model bench.idle --format responses --label "responses -> openai chat (translated)"
fi
