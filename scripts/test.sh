#!/usr/bin/env bash
# Runs the whole test suite from a clean clone. Installs what the tests need when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# The npm SDK tests (skipped without node) run the official openai package and the Vercel AI SDK pinned in their lockfile.
if command -v node >/dev/null && command -v npm >/dev/null && { [ ! -f tests/Switchyard.Tests/Clients/node/node_modules/openai/package.json ] || [ ! -f tests/Switchyard.Tests/Clients/node/node_modules/ai/package.json ]; }; then
  (cd tests/Switchyard.Tests/Clients/node && npm ci --no-audit --no-fund --loglevel=error)
fi

# The PostgreSQL store tests start a throwaway server (tests/Switchyard.Tests/Infrastructure/PostgresServer.cs) from the
# Debian package's binaries; install them when initdb is missing.
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "test.sh: PostgreSQL is not installed and this is not root; run: sudo apt-get install -y postgresql" >&2
  fi
fi

# The shared-state tests start a real redis-server (tests/Switchyard.Tests/Infrastructure/RedisServer.cs) on a free
# loopback port; install Debian's redis-server when it is missing.
if ! command -v redis-server >/dev/null 2>&1 && [ ! -x /usr/bin/redis-server ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  else
    echo "test.sh: redis-server is not installed and this is not root; run: sudo apt-get install -y redis-server" >&2
  fi
fi

# The dashboard's browser tests (tests/Switchyard.Tests/Dashboard/BrowserTests.cs) drive Debian's headless Chromium
# through Playwright's .NET driver (no `playwright install`); install it when it is missing. Without it they are skipped.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "test.sh: chromium is not installed and this is not root; run: sudo apt-get install -y chromium" >&2
  fi
fi

dotnet build Switchyard.sln -c Release -warnaserror -nologo -v q
# The console log is kept so the failures (name, message and the top of the stack) are repeated at the very end, where a
# CI log that keeps only its tail still shows them.
log="$(mktemp -t switchyard-test.XXXXXX.log)"
trap 'rm -f "$log"' EXIT
status=0
dotnet test tests/Switchyard.Tests/Switchyard.Tests.csproj -c Release --no-build -nologo \
  --logger "console;verbosity=normal" --blame-hang-timeout 5m "$@" 2>&1 | tee "$log" || status=$?
if grep -qE '^[[:space:]]+Failed [A-Za-z]' "$log"; then
  echo
  echo "=== failed tests ==="
  awk '/^[[:space:]]+Failed [A-Za-z]/ { show = 1; n = 0 }
       /^[[:space:]]+Passed [A-Za-z]/ || /^[[:space:]]+Skipped [A-Za-z]/ { show = 0 }
       show && n++ < 25 { print }' "$log"
fi
exit "$status"
