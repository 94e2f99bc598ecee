#!/usr/bin/env bash
# Whole-process load benchmark: wrk -> switchyard (Release) -> bench/FakeUpstream, side by side with wrk -> a bare .NET
# forwarder (../shared/bench/bare-forwarder: Kestrel in, SocketsHttpHandler out, no logic) -> the same upstream, and
# wrk -> the upstream directly. Every gateway figure is also printed as a ratio to the bare forwarder's in the same run.
#
#   bench/load/run.sh                  # build, run everything, print the table, write bench/load/out/results-<date>.md
#
# Scenarios: chat-200B (a 200-byte chat request), chat-48KB (agent-sized: a 35 KB English system prompt, 12 tools with
# long descriptions, a few turns), stream-200B (the small request streamed). Each runs against direct, bare and the
# gateway with the master key; the SCOPED_SCENARIOS also with a scoped token created through /key/generate with
# rpm/tpm limits far above what the run sends (admission and the prompt estimate run, nothing is rejected).
#
# Knobs (environment):
#   DURATION=8         seconds per measured wrk run
#   WARMUP=3           seconds of warm-up per scenario and target (c=32) before measuring (JIT tiering, pools)
#   CONCURRENCY="1 32"
#   SCENARIOS="chat-200B chat-48KB stream-200B"   SCOPED_SCENARIOS="chat-200B chat-48KB"
#   BARE=1             0 skips the bare forwarder (it listens on 127.0.0.1:4000, fixed in its source)
#   BARE_DIR=../shared/bench/bare-forwarder (relative to the repository root); copied to a temp dir and built there
#   CHUNKS=10          chunks per streamed answer
#   PROBE_COUNT=200    sequential streaming requests per side for the chunk-delay probe (0 skips it)
#   PIN=0              1 pins the gateway to CPU 0 and the upstream + wrk to CPU 1 (taskset); see docs/performance.md
#   GATEWAY_GC=        "server" / "workstation" overrides the GC the gateway runs with (DOTNET_gcServer); empty = as built
#   GATEWAY_YAML=      extra lines for the switchyard: section of the generated config (indented two spaces)
#   BARE_DLL=path      a bare forwarder built earlier (skips its build)
#   GATEWAY_ENV=       extra "NAME=value ..." for the gateway process (e.g. DOTNET_TieredPGO=0)
#   UP_PORT=5055 GW_PORT=5056   SKIP_BUILD=1   LABEL=text (added to the results file name and header)
#   REDIS=1            0 skips gateway-redis: a second gateway (port GW_REDIS_PORT=5058) whose limits are shared through
#                      a redis-server started here (REDIS_PORT=5057, no persistence), measured with its own scoped
#                      token (same limits) for the SCOPED_SCENARIOS: the cost of one Redis round trip per admission
#                      (and one per settlement) side by side with the in-process path (gateway-scoped)
#   GATEWAY_DLL=path   another build of switchyard.dll (A/B against an older commit built elsewhere)
#   PERF=0             1 adds a profiled run after the measured ones: perf record (cpu-clock, call graphs) on the gateway
#                      during ${DURATION}s of PERF_SCENARIO (chat-48KB) at PERF_CONC (32) with PERF_KEY (master|scoped),
#                      with DOTNET_PerfMapEnabled=1 and DOTNET_EnableWriteXorExecute=0 so JIT frames have names;
#                      writes bench/load/out/perf-<date>.txt (installs Debian's linux-perf when perf is missing);
#                      PERF_KEEP=1 keeps perf.data and the perf map next to it
#
# Measures per scenario and target: req/s and p50/p99 latency; CPU microseconds per request of the process under test
# (/proc/<pid>/stat utime+stime delta / requests: the upstream for direct, the forwarder, the gateway); its peak RSS
# (VmHWM from /proc/<pid>/status, reset before each run via /proc/<pid>/clear_refs); for streams, the delay the gateway
# adds between the upstream writing a chunk and the client receiving it (fake-upstream probe).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

DURATION=${DURATION:-8}
WARMUP=${WARMUP:-3}
CONCURRENCY=${CONCURRENCY:-"1 32"}
SCENARIOS=${SCENARIOS:-"chat-200B chat-48KB stream-200B"}
SCOPED_SCENARIOS=${SCOPED_SCENARIOS-"chat-200B chat-48KB"}   # set it empty to skip the scoped token
BARE=${BARE:-1}
BARE_DIR=${BARE_DIR:-../shared/bench/bare-forwarder}
BARE_PORT=4000
CHUNKS=${CHUNKS:-10}
PROBE_COUNT=${PROBE_COUNT:-200}
PIN=${PIN:-0}
GATEWAY_GC=${GATEWAY_GC:-}
GATEWAY_ENV=${GATEWAY_ENV:-}
UP_PORT=${UP_PORT:-5055}
GW_PORT=${GW_PORT:-5056}
LABEL=${LABEL:-}
PERF=${PERF:-0}
REDIS=${REDIS:-1}
REDIS_PORT=${REDIS_PORT:-5057}
GW_REDIS_PORT=${GW_REDIS_PORT:-5058}
PERF_CONC=${PERF_CONC:-32}
PERF_SCENARIO=${PERF_SCENARIO:-chat-48KB}
MASTER_KEY=sk-bench-master-key-0001

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '%s\n' "run.sh: $*" >&2; }

# ---- tools -------------------------------------------------------------------------------------------------------
if ! command -v wrk >/dev/null 2>&1; then
    log "installing wrk (Debian package)"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null
fi
command -v curl >/dev/null 2>&1 || { log "curl is required"; exit 1; }
if [ "$PERF" = 1 ] && ! command -v perf >/dev/null 2>&1; then
    log "installing perf (Debian package linux-perf)"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq linux-perf >/dev/null
fi

# ---- build -------------------------------------------------------------------------------------------------------
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    log "building Release"
    dotnet build src/Switchyard/Switchyard.csproj -c Release -nologo -v q -warnaserror >&2
    dotnet build bench/FakeUpstream/FakeUpstream.csproj -c Release -nologo -v q -warnaserror >&2
fi
GATEWAY_DLL=${GATEWAY_DLL:-$ROOT/src/Switchyard/bin/Release/net10.0/switchyard.dll}
UPSTREAM_DLL=$ROOT/bench/FakeUpstream/bin/Release/net10.0/fake-upstream.dll

# ---- processes -----------------------------------------------------------------------------------------------------
WORK=$(mktemp -d /tmp/switchyard-load.XXXXXX)
BARE_DLL=${BARE_DLL:-}
if [ "$BARE" = 1 ] && [ -z "$BARE_DLL" ]; then
    # from a linked worktree, ../shared is beside the main checkout rather than beside this one
    [ -f "$BARE_DIR/Program.cs" ] || BARE_DIR=$(git rev-parse --path-format=absolute --git-common-dir 2>/dev/null)/../../shared/bench/bare-forwarder
    [ -f "$BARE_DIR/Program.cs" ] || { log "no bare forwarder at $BARE_DIR (set BARE_DIR, or BARE=0)"; exit 1; }
    # A calibration peer, not product code: built from a copy outside the repository (no Directory.Build.props).
    log "building the bare forwarder from $BARE_DIR"
    mkdir -p "$WORK/bare" && cp "$BARE_DIR"/*.cs "$BARE_DIR"/*.csproj "$WORK/bare/"
    dotnet build "$WORK/bare" -c Release -nologo -v q -o "$WORK/bare/out" >&2
    BARE_DLL=$WORK/bare/out/BareForwarder.dll
fi
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PIN_GW=(); PIN_CLIENT=()
if [ "$PIN" = 1 ]; then
    PIN_GW=(taskset -c 0); PIN_CLIENT=(taskset -c 1)
fi

wait_http() { # url pid log: up to 60 s (a busy machine starts .NET slowly)
    local i
    for i in $(seq 1 300); do
        curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
        kill -0 "$2" 2>/dev/null || break
        sleep 0.2
    done
    log "nothing answered at $1; its log:"; tail -20 "$3" >&2; return 1
}

for port in "$UP_PORT" "$GW_PORT" $([ "$BARE" = 1 ] && echo "$BARE_PORT"); do
    if curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; then
        log "port $port is already in use; set UP_PORT/GW_PORT"; exit 1
    fi
done

"${PIN_CLIENT[@]}" dotnet "$UPSTREAM_DLL" --port "$UP_PORT" --chunks "$CHUNKS" --probe-gap-ms 50 >"$WORK/upstream.log" 2>&1 &
UP_PID=$!; PIDS+=("$UP_PID")
wait_http "http://127.0.0.1:$UP_PORT/" "$UP_PID" "$WORK/upstream.log"

BARE_PID=""
if [ "$BARE" = 1 ] && [ -n "$BARE_DLL" ]; then
    BENCH_UPSTREAM=http://127.0.0.1:$UP_PORT/v1 BENCH_UPSTREAM_SSE=http://127.0.0.1:$UP_PORT/v1 SWITCHYARD_STREAM_MODEL=bench-none \
        "${PIN_GW[@]}" dotnet "$BARE_DLL" >"$WORK/bare.log" 2>&1 &
    BARE_PID=$!; PIDS+=("$BARE_PID")
    for i in $(seq 1 300); do  # it has no GET route: any HTTP answer means it is up
        [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$BARE_PORT/" 2>/dev/null)" != 000 ] && break
        kill -0 "$BARE_PID" 2>/dev/null || { log "bare forwarder exited:"; tail -20 "$WORK/bare.log" >&2; exit 1; }
        sleep 0.2
    done
fi

cat >"$WORK/gateway.yaml" <<YAML
model_list:
  - model_name: bench.chat
    litellm_params:
      model: openai/gpt-4o-mini
      api_base: http://127.0.0.1:$UP_PORT/v1
      api_key: sk-bench-upstream
  - model_name: bench.probe
    litellm_params:
      model: openai/gpt-4o-mini
      api_base: http://127.0.0.1:$UP_PORT/probe/v1
      api_key: sk-bench-upstream
general_settings:
  master_key: $MASTER_KEY
switchyard:
  store:
    sqlite_path: $WORK/switchyard.db
${GATEWAY_YAML:-}
YAML

GW_ENV=()
case "$GATEWAY_GC" in
    server) GW_ENV+=(DOTNET_gcServer=1) ;;
    workstation) GW_ENV+=(DOTNET_gcServer=0) ;;
    "") ;;
    *) log "GATEWAY_GC must be server or workstation"; exit 1 ;;
esac
# shellcheck disable=SC2206
[ -n "$GATEWAY_ENV" ] && GW_ENV+=($GATEWAY_ENV)
[ "$PERF" = 1 ] && GW_ENV+=(DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0) # W^X double-mapping hides JIT code from perf
env "${GW_ENV[@]}" "${PIN_GW[@]}" dotnet "$GATEWAY_DLL" --config "$WORK/gateway.yaml" --port "$GW_PORT" >"$WORK/gateway.log" 2>&1 &
GW_PID=$!; PIDS+=("$GW_PID")
wait_http "http://127.0.0.1:$GW_PORT/health/liveliness" "$GW_PID" "$WORK/gateway.log"
RSS_IDLE_KB=$(awk '/^VmRSS:/ {print $2}' "/proc/$GW_PID/status")

# ---- scoped token (limits high enough never to reject during the run) ----------------------------------------------
SCOPED_KEY=$(curl -fsS -X POST "http://127.0.0.1:$GW_PORT/key/generate" -H "Authorization: Bearer $MASTER_KEY" \
    -H 'Content-Type: application/json' -d '{"key_alias":"bench-scoped","rpm_limit":1000000000,"tpm_limit":2000000000}' |
    sed -n 's/.*"key":"\([^"]*\)".*/\1/p')
[ -n "$SCOPED_KEY" ] || { log "could not create the scoped token"; exit 1; }

# ---- the same gateway with its limits in Redis (gateway-redis) -------------------------------------------------------
GWR_PID=""; REDIS_PID=""; REDIS_KEY=""
if [ "$REDIS" = 1 ]; then
    if ! command -v redis-server >/dev/null 2>&1; then
        log "installing redis-server (Debian package)"
        SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
        $SUDO apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
    fi
    mkdir -p "$WORK/redis"
    "${PIN_CLIENT[@]}" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK/redis" >"$WORK/redis.log" 2>&1 &
    REDIS_PID=$!; PIDS+=("$REDIS_PID")
    for i in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT") 2>/dev/null && break
        kill -0 "$REDIS_PID" 2>/dev/null || { log "redis-server exited:"; tail -20 "$WORK/redis.log" >&2; exit 1; }
        sleep 0.1
    done
    sed "s#sqlite_path: $WORK/switchyard.db#sqlite_path: $WORK/switchyard-redis.db#" "$WORK/gateway.yaml" >"$WORK/gateway-redis.yaml"
    printf '  shared:\n    redis_url: redis://127.0.0.1:%s\n    key_prefix: "bench:"\n' "$REDIS_PORT" >>"$WORK/gateway-redis.yaml"
    env "${GW_ENV[@]}" "${PIN_GW[@]}" dotnet "$GATEWAY_DLL" --config "$WORK/gateway-redis.yaml" --port "$GW_REDIS_PORT" >"$WORK/gateway-redis.log" 2>&1 &
    GWR_PID=$!; PIDS+=("$GWR_PID")
    wait_http "http://127.0.0.1:$GW_REDIS_PORT/health/liveliness" "$GWR_PID" "$WORK/gateway-redis.log"
    REDIS_KEY=$(curl -fsS -X POST "http://127.0.0.1:$GW_REDIS_PORT/key/generate" -H "Authorization: Bearer $MASTER_KEY" \
        -H 'Content-Type: application/json' -d '{"key_alias":"bench-redis","rpm_limit":1000000000,"tpm_limit":2000000000}' |
        sed -n 's/.*"key":"\([^"]*\)".*/\1/p')
    [ -n "$REDIS_KEY" ] || { log "could not create the token of gateway-redis"; exit 1; }
fi

# ---- bodies and wrk scripts ----------------------------------------------------------------------------------------
# scenario -> body: chat-200B (a 200-byte chat request), chat-48KB (agent-sized: 35 KB system prompt, 12 tools, a few
# turns), stream-200B (the 200-byte request with "stream":true).
dotnet "$UPSTREAM_DLL" body --kind small --out "$WORK/chat-200B.json"
dotnet "$UPSTREAM_DLL" body --kind agent --out "$WORK/chat-48KB.json"
dotnet "$UPSTREAM_DLL" body --kind stream --out "$WORK/stream-200B.json"
for scenario in $SCENARIOS; do
    [ -f "$WORK/$scenario.json" ] || { log "unknown scenario $scenario (chat-200B, chat-48KB, stream-200B)"; exit 1; }
    for caller in master scoped redis; do
        key=$MASTER_KEY; [ "$caller" = scoped ] && key=$SCOPED_KEY; [ "$caller" = redis ] && key=$REDIS_KEY
        [ "$caller" = redis ] && [ -z "$REDIS_KEY" ] && continue
        cat >"$WORK/$scenario-$caller.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
local f = assert(io.open("$WORK/$scenario.json", "rb"))
wrk.body = f:read("*a")
f:close()
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%.1f p99_us=%.1f errors=%d non2xx=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
LUA
    done
done

CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
field() { sed -n "s/.*[[:space:]]$2=\([^[:space:]]*\).*/\1/p" <<<"$1"; }

run_wrk() { # url script concurrency seconds -> RESULT line
    local threads=$(( $3 < 2 ? 1 : 2 ))
    "${PIN_CLIENT[@]}" wrk -t"$threads" -c"$3" -d"$4"s --latency --timeout 10s -s "$WORK/$2.lua" "$1" >"$WORK/wrk.out" 2>&1 || {
        log "wrk failed:"; cat "$WORK/wrk.out" >&2; return 1; }
    grep '^RESULT' "$WORK/wrk.out" || { log "no RESULT from wrk:"; cat "$WORK/wrk.out" >&2; return 1; }
}

GW_URL=http://127.0.0.1:$GW_PORT/v1/chat/completions
UP_URL=http://127.0.0.1:$UP_PORT/v1/chat/completions
BARE_URL=http://127.0.0.1:$BARE_PORT/v1/chat/completions
GWR_URL=http://127.0.0.1:$GW_REDIS_PORT/v1/chat/completions
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

target_url() { case $1 in direct) echo "$UP_URL" ;; bare) echo "$BARE_URL" ;; gateway-redis) echo "$GWR_URL" ;; *) echo "$GW_URL" ;; esac; }
target_pid() { case $1 in direct) echo "$UP_PID" ;; bare) echo "$BARE_PID" ;; gateway-redis) echo "$GWR_PID" ;; *) echo "$GW_PID" ;; esac; }
caller_of() { case $1 in gateway-scoped) echo scoped ;; gateway-redis) echo redis ;; *) echo master ;; esac; }
targets_for() { # scenario -> the targets measured for it, interleaved in this order
    local t="direct"
    [ -n "$BARE_PID" ] && t+=" bare"
    t+=" gateway"
    case " $SCOPED_SCENARIOS " in *" $1 "*) t+=" gateway-scoped"; [ -n "$GWR_PID" ] && t+=" gateway-redis" ;; esac
    echo "$t"
}

log "warm-up ${WARMUP}s per scenario and target"
for scenario in $SCENARIOS; do
    for target in $(targets_for "$scenario"); do
        caller=$(caller_of "$target")
        run_wrk "$(target_url "$target")" "$scenario-$caller" 32 "$WARMUP" >/dev/null
    done
done

TSV=$WORK/results.tsv
: >"$TSV"
for scenario in $SCENARIOS; do
    for c in $CONCURRENCY; do
        for target in $(targets_for "$scenario"); do
            caller=$(caller_of "$target")
            pid=$(target_pid "$target")
            log "$scenario c=$c: $target"
            echo 5 >"/proc/$pid/clear_refs" 2>/dev/null || true   # reset VmHWM so the peak is this scenario's
            t0=$(cpu_ticks "$pid"); r0=0; [ -n "$REDIS_PID" ] && r0=$(cpu_ticks "$REDIS_PID")
            r=$(run_wrk "$(target_url "$target")" "$scenario-$caller" "$c" "$DURATION")
            t1=$(cpu_ticks "$pid"); r1=0; [ -n "$REDIS_PID" ] && r1=$(cpu_ticks "$REDIS_PID")
            [ "$target" = gateway-redis ] && printf '%s\t%s\t%s\t%s\n' "$scenario" "$c" "$(field "$r" requests)" "$((r1 - r0))" >>"$WORK/redis-cpu.tsv"
            hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scenario" "$c" "$target" \
                "$(field "$r" requests)" "$(field "$r" duration_us)" "$(field "$r" p50_us)" "$(field "$r" p99_us)" \
                "$(( $(field "$r" errors) + $(field "$r" non2xx) ))" "$((t1 - t0))" "$hwm" >>"$TSV"
        done
    done
done

if [ "$PERF" = 1 ]; then
    perf_caller=${PERF_KEY:-master}
    log "profiled run: perf record on the gateway during $PERF_SCENARIO c=$PERF_CONC ($perf_caller key)"
    perf record -F 999 -g -p "$GW_PID" -o "$WORK/perf.data" -- sleep "$DURATION" >"$WORK/perf.log" 2>&1 &
    PERF_PID=$!
    gw0=$(cpu_ticks "$GW_PID")
    run_wrk "$GW_URL" "$PERF_SCENARIO-$perf_caller" "$PERF_CONC" "$DURATION" >"$WORK/perf-wrk.txt"
    gw1=$(cpu_ticks "$GW_PID")
    wait "$PERF_PID" || true
    PERF_OUT=bench/load/out/perf-$(date -u +%Y-%m-%d-%H%M%S)${LABEL:+-$LABEL}.txt
    mkdir -p bench/load/out
    {
        echo "# perf profile of the gateway, $PERF_SCENARIO c=$PERF_CONC ($perf_caller key), ${DURATION}s (cpu-clock, 999 Hz); gateway CPU $(( (gw1 - gw0) * 1000000 / CLK_TCK )) µs; wrk: $(cat "$WORK/perf-wrk.txt")"
        echo "## by shared object"
        perf report -i "$WORK/perf.data" --stdio --no-children --sort dso -g none --percent-limit 0.5 2>/dev/null | grep -v '^#' | grep -v '^$'
        echo "## by symbol (self time)"
        perf report -i "$WORK/perf.data" --stdio --no-children --sort dso,symbol -g none --percent-limit 0.3 2>/dev/null | grep -v '^#' | grep -v '^$'
        echo "## by symbol (inclusive time, frame-pointer call graphs)"
        perf report -i "$WORK/perf.data" --stdio --children --sort symbol -g none --percent-limit 2 2>/dev/null | grep -v '^#' | grep -v '^$'
    } >"$PERF_OUT"
    [ "${PERF_KEEP:-0}" = 1 ] && cp "$WORK/perf.data" "${PERF_OUT%.txt}.data" && cp "/tmp/perf-$GW_PID.map" bench/load/out/ 2>/dev/null
    rm -f "/tmp/perf-$GW_PID.map" "/tmp/perfinfo-$GW_PID.map"
    log "wrote $PERF_OUT"
fi

PROBE_ROWS=""
if [ "$PROBE_COUNT" -gt 0 ]; then
    log "streaming chunk-delay probe: $PROBE_COUNT sequential streams per side"
    PROBE=("${PIN_CLIENT[@]}" dotnet "$UPSTREAM_DLL" probe --count "$PROBE_COUNT" --key "$MASTER_KEY")
    PROBE_ROWS+=$("${PROBE[@]}" --url "http://127.0.0.1:$UP_PORT/probe/v1/chat/completions" --label direct)$'\n'
    PROBE_ROWS+=$("${PROBE[@]}" --url "$GW_URL" --model bench.probe --label gateway)$'\n'
fi

# VmHWM is reset per run, so a process's peak is the largest of its per-run peaks and its last reading.
peak_of() { # target -> MB
    local pid; pid=$(target_pid "$1")
    awk -F'\t' -v t="$1" -v last="$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)" \
        'BEGIN {m = last} ($3 == t || (t == "gateway" && $3 == "gateway-scoped")) && $10 > m {m = $10} END {printf "%.0f", m / 1024}' "$TSV"
}
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
GW_ALIVE=yes; kill -0 "$GW_PID" 2>/dev/null || GW_ALIVE=no

# ---- report ----------------------------------------------------------------------------------------------------------
STAMP=$(date -u +%Y-%m-%d-%H%M%S)
mkdir -p bench/load/out
OUT=bench/load/out/results-$STAMP${LABEL:+-$LABEL}.md
{
    echo "# Switchyard load benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')${LABEL:+ ($LABEL)}"
    echo
    echo "- commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (+ uncommitted changes)'); $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); .NET $(dotnet --list-runtimes | awk '/NETCore.App/ {v=$2} END {print v}'); wrk $(wrk -v 2>&1 | awk 'NR==1 {print $2}')"
    echo "- ${DURATION}s per run, ${WARMUP}s warm-up per scenario and target, $CHUNKS chunks per stream; pinning: $([ "$PIN" = 1 ] && echo 'gateway and forwarder CPU 0, upstream+wrk CPU 1' || echo none); gateway GC: ${GATEWAY_GC:-as built}${GATEWAY_ENV:+; env $GATEWAY_ENV}"
    echo "- bodies: chat-200B $(wc -c <"$WORK/chat-200B.json") B, chat-48KB $(wc -c <"$WORK/chat-48KB.json") B; scoped token: rpm_limit 1e9, tpm_limit 2e9"
    echo "- load average before: $LOAD_BEFORE, after: $LOAD_AFTER (other work on the machine makes figures noisy)"
    echo "- peak RSS over the run (VmHWM): gateway $(peak_of gateway) MB (idle after start $((RSS_IDLE_KB / 1024)) MB)$([ -n "$BARE_PID" ] && echo ", bare forwarder $(peak_of bare) MB"), upstream $(peak_of direct) MB"
    echo
    echo "CPU and RSS are those of the process under test (direct: the fake upstream). x bare = gateway / bare forwarder in the same scenario (for req/s, higher is better; for the rest, lower)."
    echo
    echo "| scenario | conc | target | req/s | p50 ms | p99 ms | CPU µs/req | peak RSS MB | errors | req/s x bare | CPU x bare | p50 x bare | p99 x bare | RSS x bare |"
    echo "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    awk -F'\t' -v tck="$CLK_TCK" '
        { rps = $4 / ($5 / 1e6); cpu = $9 * 1e6 / tck / ($4 > 0 ? $4 : 1); k = $1 SUBSEP $2
          if ($3 == "bare") { brps[k] = rps; bcpu[k] = cpu; b50[k] = $6; b99[k] = $7; brss[k] = $10 }
          line = sprintf("| %s | %d | %s | %.0f | %.3f | %.3f | %.0f | %.0f | %d", $1, $2, $3, rps, $6 / 1000, $7 / 1000, cpu, $10 / 1024, $8)
          if ((k in brps) && $3 != "direct" && $3 != "bare")
              line = line sprintf(" | %.2f | %.2f | %.2f | %.2f | %.2f |", rps / brps[k], cpu / bcpu[k], $6 / b50[k], $7 / b99[k], $10 / brss[k])
          else line = line " | | | | | |"
          print line }' "$TSV"
    if [ -n "$PROBE_ROWS" ]; then
        echo
        echo "Streaming chunk delay (sequential streams; upstream writes chunk 1, waits 50 ms, writes chunk 2; delay = client receipt - upstream write, same monotonic clock):"
        echo
        echo "| path | streams | first byte p50 ms | first byte p99 ms | chunk 1 delay p50 ms | chunk 1 delay p99 ms | chunk 2 delay p50 ms | chunk 2 delay p99 ms | chunk 2 delay max ms |"
        echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
        printf '%s' "$PROBE_ROWS"
        echo
        awk -F'|' 'NF > 5 { gsub(/ /, "", $2); for (i = 4; i <= 10; i++) v[$2, i] = $i }
            END { printf "Added by the gateway: first byte %+.3f ms p50 / %+.3f ms p99; mid-stream chunk %+.3f ms p50 / %+.3f ms p99.\n",
                  v["gateway", 4] - v["direct", 4], v["gateway", 5] - v["direct", 5], v["gateway", 8] - v["direct", 8], v["gateway", 9] - v["direct", 9] }' <<<"$PROBE_ROWS"
    fi
    echo
    echo "Targets (issues; informational):"
    echo
    awk -F'\t' -v tck="$CLK_TCK" '
        function verdict(ok) { return ok ? "met" : "MISSED" }
        { k = $1 SUBSEP $2 SUBSEP $3; cpu[k] = $9 * 1e6 / tck / ($4 > 0 ? $4 : 1); p99[k] = $7 / 1000; rps[k] = $4 / ($5 / 1e6) }
        END {
            for (c = 1; c <= 128; c *= 2) {
                g = "chat-48KB" SUBSEP c SUBSEP "gateway"; s = "chat-48KB" SUBSEP c SUBSEP "gateway-scoped"
                if ((g in cpu) && (s in cpu))
                    printf "- chat-48KB c=%d: scoped token CPU %.0f µs vs master key %.0f µs per request = %.2fx (<= 1.20: %s)\n", c, cpu[s], cpu[g], cpu[s] / cpu[g], verdict(cpu[s] <= 1.2 * cpu[g])
                g = "chat-200B" SUBSEP c SUBSEP "gateway"; b = "chat-200B" SUBSEP c SUBSEP "bare"
                if (c == 32 && (g in p99) && (b in p99))
                    printf "- chat-200B c=32: gateway p99 %.3f ms vs bare forwarder %.3f ms = %.2fx (<= 2: %s)\n", p99[g], p99[b], p99[g] / p99[b], verdict(p99[g] <= 2 * p99[b])
                g48 = "chat-48KB" SUBSEP c SUBSEP "gateway"; g2 = "chat-200B" SUBSEP c SUBSEP "gateway"
                b48 = "chat-48KB" SUBSEP c SUBSEP "bare"; b2 = "chat-200B" SUBSEP c SUBSEP "bare"
                if ((g48 in cpu) && (g2 in cpu) && (b48 in cpu) && (b2 in cpu))
                    printf "- c=%d: CPU the 48 KB body adds over the 200-byte one: gateway %+.0f µs, bare forwarder %+.0f µs\n", c, cpu[g48] - cpu[g2], cpu[b48] - cpu[b2]
            }
        }' "$TSV"
    if [ -s "$WORK/redis-cpu.tsv" ]; then
        echo
        echo "Shared admission (gateway-redis: the scoped token's limits in Redis, one round trip per admission and one per settlement) vs in process (gateway-scoped), same run:"
        echo
        awk -F'\t' -v tck="$CLK_TCK" '
            NR == FNR { k = $1 SUBSEP $2; req[k] = $3; rcpu[k] = $4 * 1e6 / tck / ($3 > 0 ? $3 : 1); next }
            { k = $1 SUBSEP $2; cpu = $9 * 1e6 / tck / ($4 > 0 ? $4 : 1)
              if ($3 == "gateway-scoped") { s50[k] = $6; s99[k] = $7; scpu[k] = cpu }
              if ($3 == "gateway-redis") { r50[k] = $6; r99[k] = $7; gcpu[k] = cpu } }
            END { for (k in r50) if (k in s50) { split(k, p, SUBSEP)
                printf "- %s c=%d: p50 %+.3f ms (%.2fx), p99 %+.3f ms (%.2fx); gateway CPU %+.0f µs/req (%.2fx); redis-server CPU %.0f µs/req (gateway + redis-server: %.2fx)\n", p[1], p[2],
                    (r50[k] - s50[k]) / 1000, r50[k] / (s50[k] > 0 ? s50[k] : 1), (r99[k] - s99[k]) / 1000, r99[k] / (s99[k] > 0 ? s99[k] : 1),
                    gcpu[k] - scpu[k], gcpu[k] / (scpu[k] > 0 ? scpu[k] : 1), rcpu[k], (gcpu[k] + rcpu[k]) / (scpu[k] > 0 ? scpu[k] : 1) } }' "$WORK/redis-cpu.tsv" "$TSV" | sort
    fi
    [ "$GW_ALIVE" = yes ] || echo "- WARNING: the gateway process exited during the run; see its log"
} | tee "$OUT"
log "wrote $OUT"
