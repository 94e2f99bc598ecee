#!/usr/bin/env bash
# Gateway CPU per request for a 4 MB single-word chat body (issue 7: under 100 ms), master key and a scoped token with
# tpm/rpm limits, against the built-in mock (no upstream needed). Builds Release unless SKIP_BUILD=1.
#
#   bench/load/big-body.sh            # prints CPU ms per request for each caller (N=10 requests each after 3 warm-up)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-10}; PORT=${PORT:-4101}
[ "${SKIP_BUILD:-0}" = 1 ] || dotnet build src/Switchyard -c Release -nologo -v q >/dev/null
WORK=$(mktemp -d); export HOME=$WORK
dotnet src/Switchyard/bin/Release/net10.0/switchyard.dll --port "$PORT" >"$WORK/gw.log" 2>&1 &
GW=$!; trap 'kill $GW 2>/dev/null; rm -rf "$WORK"' EXIT
until curl -sf "http://127.0.0.1:$PORT/health/liveliness" >/dev/null; do sleep 0.5; done
KEY=$(cat "$WORK/.switchyard/master.key")
TOK=$(curl -s "http://127.0.0.1:$PORT/key/generate" -H "Authorization: Bearer $KEY" -d '{"tpm_limit":500000000,"rpm_limit":100000}' \
  | python3 -c 'import sys,json;print(json.load(sys.stdin)["key"])')
python3 -c "import json;print(json.dumps({'model':'router.default','messages':[{'role':'user','content':'a'*(4*1024*1024-200)}]}))" >"$WORK/body.json"
TCK=$(getconf CLK_TCK)
cpu() { awk '{print $14+$15}' "/proc/$GW/stat"; }
send() { curl -s -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$PORT/v1/chat/completions" -H "Authorization: Bearer $1" --data-binary @"$WORK/body.json"; }
for _ in 1 2 3; do send "$TOK" >/dev/null; done
for who in master scoped; do
  t=$KEY; [ "$who" = scoped ] && t=$TOK
  a=$(cpu); codes=$(for _ in $(seq "$N"); do send "$t"; done | sort | uniq -c | tr -s ' \n' ' '); b=$(cpu)
  echo "$who: $(( (b - a) * 1000 / TCK / N )) ms of gateway CPU per 4 MB request (HTTP:$codes)"
done
