#!/usr/bin/env bash
# Whole-process load benchmark: wrk -> switchyard (Release) -> bench/FakeUpstream, compared with wrk -> FakeUpstream.
#
#   bench/load/run.sh                  # build, run everything, print the tables, write bench/load/out/results-<date>.md
#
# Knobs (environment):
#   DURATION=10        seconds per measured wrk run (each scenario runs once direct and once through the gateway)
#   WARMUP=5           seconds of warm-up per mode before measuring (JIT tiering, connection pools)
#   CONCURRENCY="1 32 128"
#   CHUNKS=10          chunks per streamed answer
#   PROBE_COUNT=200    sequential streaming requests per side for the chunk-delay probe (0 skips it)
#   PIN=0              1 pins the gateway to CPU 0 and the upstream + wrk to CPU 1 (taskset); see docs/performance.md
#   GATEWAY_GC=        "server" / "workstation" overrides the GC the gateway runs with (DOTNET_gcServer); empty = as built
#   GATEWAY_ENV=       extra "NAME=value ..." for the gateway process (e.g. DOTNET_TieredPGO=0)
#   UP_PORT=5055 GW_PORT=5056   SKIP_BUILD=1   LABEL=text (added to the results file name and header)
#   GATEWAY_DLL=path   another build of switchyard.dll (A/B against an older commit built elsewhere)
#   PERF=0             1 adds a profiled run after the measured ones: perf record (cpu-clock, call graphs) on the gateway
#                      during ${DURATION}s of non-streaming c=32, with DOTNET_PerfMapEnabled=1 and DOTNET_EnableWriteXorExecute=0
#                      so JIT frames have names;
#                      writes bench/load/out/perf-<date>.txt (installs Debian's linux-perf when perf is missing);
#                      PERF_CONC=32 sets the concurrency of that run
#
# Measures per scenario: req/s and p50/p99 latency through the gateway and directly against the upstream (added latency =
# gateway - direct), gateway CPU microseconds per request (/proc/<pid>/stat utime+stime delta / requests), gateway peak
# RSS (VmHWM from /proc/<pid>/status, reset before each scenario via /proc/<pid>/clear_refs) and, for streams, the delay
# the gateway adds between the upstream writing a chunk and the client receiving it (fake-upstream probe).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-5}
CONCURRENCY=${CONCURRENCY:-"1 32 128"}
CHUNKS=${CHUNKS:-10}
PROBE_COUNT=${PROBE_COUNT:-200}
PIN=${PIN:-0}
GATEWAY_GC=${GATEWAY_GC:-}
GATEWAY_ENV=${GATEWAY_ENV:-}
UP_PORT=${UP_PORT:-5055}
GW_PORT=${GW_PORT:-5056}
LABEL=${LABEL:-}
PERF=${PERF:-0}
PERF_CONC=${PERF_CONC:-32}
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

for port in "$UP_PORT" "$GW_PORT"; do
    if curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; then
        log "port $port is already in use; set UP_PORT/GW_PORT"; exit 1
    fi
done

"${PIN_CLIENT[@]}" dotnet "$UPSTREAM_DLL" --port "$UP_PORT" --chunks "$CHUNKS" --probe-gap-ms 50 >"$WORK/upstream.log" 2>&1 &
UP_PID=$!; PIDS+=("$UP_PID")
wait_http "http://127.0.0.1:$UP_PORT/" "$UP_PID" "$WORK/upstream.log"

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

# ---- wrk scripts ---------------------------------------------------------------------------------------------------
CHAT_BODY='{"model":"bench.chat","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Say hello."}],"max_tokens":32}'
STREAM_BODY='{"model":"bench.chat","stream":true,"messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Say hello."}],"max_tokens":32}'
for mode in chat stream; do
    body=$CHAT_BODY; [ "$mode" = stream ] && body=$STREAM_BODY
    cat >"$WORK/$mode.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $MASTER_KEY"
wrk.body = '$body'
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%.1f p99_us=%.1f errors=%d non2xx=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
LUA
done

CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
field() { sed -n "s/.*[[:space:]]$2=\([^[:space:]]*\).*/\1/p" <<<"$1"; }

run_wrk() { # url mode concurrency seconds -> RESULT line
    local threads=$(( $3 < 2 ? 1 : 2 ))
    "${PIN_CLIENT[@]}" wrk -t"$threads" -c"$3" -d"$4"s --latency --timeout 10s -s "$WORK/$2.lua" "$1" >"$WORK/wrk.out" 2>&1 || {
        log "wrk failed:"; cat "$WORK/wrk.out" >&2; return 1; }
    grep '^RESULT' "$WORK/wrk.out" || { log "no RESULT from wrk:"; cat "$WORK/wrk.out" >&2; return 1; }
}

GW_URL=http://127.0.0.1:$GW_PORT/v1/chat/completions
UP_URL=http://127.0.0.1:$UP_PORT/v1/chat/completions
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

log "warm-up ${WARMUP}s per mode"
for mode in chat stream; do
    run_wrk "$UP_URL" "$mode" 32 "$WARMUP" >/dev/null
    run_wrk "$GW_URL" "$mode" 32 "$WARMUP" >/dev/null
done

ROWS=()
TSV=$WORK/results.tsv
: >"$TSV"
for mode in chat stream; do
    for c in $CONCURRENCY; do
        log "$mode c=$c: direct"
        d=$(run_wrk "$UP_URL" "$mode" "$c" "$DURATION")
        log "$mode c=$c: gateway"
        echo 5 >"/proc/$GW_PID/clear_refs" 2>/dev/null || true   # reset VmHWM so the peak is this scenario's
        gw0=$(cpu_ticks "$GW_PID"); up0=$(cpu_ticks "$UP_PID")
        g=$(run_wrk "$GW_URL" "$mode" "$c" "$DURATION")
        gw1=$(cpu_ticks "$GW_PID"); up1=$(cpu_ticks "$UP_PID")
        hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$GW_PID/status")
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$mode" "$c" \
            "$(field "$g" requests)" "$(field "$g" duration_us)" "$(field "$g" p50_us)" "$(field "$g" p99_us)" \
            "$(( $(field "$g" errors) + $(field "$g" non2xx) ))" \
            "$(field "$d" requests)" "$(field "$d" duration_us)" "$(field "$d" p50_us)" "$(field "$d" p99_us)" \
            "$(( $(field "$d" errors) + $(field "$d" non2xx) ))" \
            "$((gw1 - gw0))" "$((up1 - up0))" "$hwm" >>"$TSV"
    done
done

if [ "$PERF" = 1 ]; then
    log "profiled run: perf record on the gateway during non-streaming c=$PERF_CONC"
    perf record -F 999 -g -p "$GW_PID" -o "$WORK/perf.data" -- sleep "$DURATION" >"$WORK/perf.log" 2>&1 &
    PERF_PID=$!
    gw0=$(cpu_ticks "$GW_PID")
    run_wrk "$GW_URL" chat "$PERF_CONC" "$DURATION" >"$WORK/perf-wrk.txt"
    gw1=$(cpu_ticks "$GW_PID")
    wait "$PERF_PID" || true
    PERF_OUT=bench/load/out/perf-$(date -u +%Y-%m-%d-%H%M%S)${LABEL:+-$LABEL}.txt
    mkdir -p bench/load/out
    {
        echo "# perf profile of the gateway, non-streaming c=$PERF_CONC, ${DURATION}s (cpu-clock, 999 Hz); gateway CPU $(( (gw1 - gw0) * 1000000 / CLK_TCK )) µs; wrk: $(cat "$WORK/perf-wrk.txt")"
        echo "## by shared object"
        perf report -i "$WORK/perf.data" --stdio --no-children --sort dso -g none --percent-limit 0.5 2>/dev/null | grep -v '^#' | grep -v '^$'
        echo "## by symbol (self time)"
        perf report -i "$WORK/perf.data" --stdio --no-children --sort dso,symbol -g none --percent-limit 0.3 2>/dev/null | grep -v '^#' | grep -v '^$'
        echo "## by symbol (inclusive time, frame-pointer call graphs)"
        perf report -i "$WORK/perf.data" --stdio --children --sort symbol -g none --percent-limit 2 2>/dev/null | grep -v '^#' | grep -v '^$'
    } >"$PERF_OUT"
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

# VmHWM is reset per scenario, so the run's peak is the largest of the per-scenario peaks and the last reading.
PEAK_KB=$(awk -F'\t' -v last="$(awk '/^VmHWM:/ {print $2}' "/proc/$GW_PID/status")" 'BEGIN {m = last} $15 > m {m = $15} END {print m}' "$TSV")
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
    echo "- ${DURATION}s per run, ${WARMUP}s warm-up per mode, $CHUNKS chunks per stream; pinning: $([ "$PIN" = 1 ] && echo 'gateway CPU 0, upstream+wrk CPU 1' || echo none); gateway GC: ${GATEWAY_GC:-as built}${GATEWAY_ENV:+; env $GATEWAY_ENV}"
    echo "- load average before: $LOAD_BEFORE, after: $LOAD_AFTER (other work on the machine makes figures noisy)"
    echo "- gateway RSS idle after start: $((RSS_IDLE_KB / 1024)) MB; peak RSS over the whole run (VmHWM): $((PEAK_KB / 1024)) MB (per-scenario peaks in the table)"
    echo
    echo "| mode | conc | gateway req/s | direct req/s | gateway p50 ms | direct p50 ms | added p50 ms | gateway p99 ms | direct p99 ms | added p99 ms | gateway CPU µs/req | upstream CPU µs/req | gateway peak RSS MB | errors gw/direct |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
    awk -F'\t' -v tck="$CLK_TCK" '{
        grps = $3 / ($4 / 1e6); drps = $8 / ($9 / 1e6);
        printf "| %s | %d | %.0f | %.0f | %.3f | %.3f | %+.3f | %.3f | %.3f | %+.3f | %.0f | %.0f | %.0f | %d/%d |\n",
            ($1 == "chat" ? "non-streaming" : "streaming"), $2, grps, drps,
            $5 / 1000, $10 / 1000, ($5 - $10) / 1000, $6 / 1000, $11 / 1000, ($6 - $11) / 1000,
            $13 * 1e6 / tck / $3, $14 * 1e6 / tck / $3, $15 / 1024, $7, $12
    }' "$TSV"
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
    echo "Targets (issue; informational):"
    echo
    awk -F'\t' -v tck="$CLK_TCK" -v peak="$PEAK_KB" -v probe="$PROBE_ROWS" '
        function verdict(ok) { return ok ? "met" : "MISSED" }
        $1 == "chat" && $2 == 1 { a50 = ($5 - $10) / 1000; a99 = ($6 - $11) / 1000; c1 = 1 }
        $1 == "chat" && $2 == 32 { rps = $3 / ($4 / 1e6); p99 = $6 / 1000; c32 = 1 }
        $1 == "chat" { cpu = cpu sep sprintf("c=%d %.0f µs (%s)", $2, $13 * 1e6 / tck / $3, verdict($13 * 1e6 / tck / $3 <= 100)); sep = ", " }
        END {
            if (c1) printf "- non-streaming added latency at c=1: p50 %.3f ms (<= 0.2: %s), p99 %.3f ms (<= 1: %s)\n", a50, verdict(a50 <= 0.2), a99, verdict(a99 <= 1)
            if (c32) printf "- non-streaming at c=32: %.0f req/s (>= 10000: %s), p99 %.3f ms (<= 10: %s)\n", rps, verdict(rps >= 10000), p99, verdict(p99 <= 10)
            printf "- gateway CPU per non-streaming request (<= 100 µs): %s\n", cpu
            printf "- gateway peak RSS: %.0f MB (<= 200: %s)\n", peak / 1024, verdict(peak / 1024 <= 200)
            n = split(probe, lines, "\n")
            for (i = 1; i <= n; i++) { split(lines[i], f, "|"); gsub(/ /, "", f[2]); if (f[2] == "gateway") { g50 = f[8] + 0; g99 = f[9] + 0 } if (f[2] == "direct") { d50 = f[8] + 0; d99 = f[9] + 0 } }
            if (n > 1) printf "- streaming buffering: a mid-stream chunk reaches the client %.3f ms (p50) / %.3f ms (p99) after the upstream wrote it through the gateway, %.3f / %.3f ms direct; within 1 ms: p50 %s, p99 %s\n", g50, g99, d50, d99, verdict(g50 <= 1), verdict(g99 <= 1)
        }' "$TSV"
    [ "$GW_ALIVE" = yes ] || echo "- WARNING: the gateway process exited during the run; see its log"
} | tee "$OUT"
log "wrote $OUT"
