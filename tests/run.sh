#!/usr/bin/env bash
# The one test command. On a fresh machine, run as root, it installs from Debian what the suite needs, builds,
# runs every test and the README's commands, and exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
log_dir="$root/artifacts/test-logs"
mkdir -p "$log_dir"

# --- what the suite needs from Debian -------------------------------------------------------------------------
need=()
[ -e /usr/share/hunspell/en_US.dic ] || need+=(hunspell-en-us)
ldconfig -p 2>/dev/null | grep -q 'libhunspell-1.7.so.0' || need+=(libhunspell-1.7-0)
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -e /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf ] || need+=(fonts-liberation)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "tests/run.sh: missing Debian packages: ${need[*]}; run as root, or install them first" >&2
    exit 1
  fi
  echo "== installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >"$log_dir/apt.log" 2>&1
  apt-get install -y -qq --no-install-recommends "${need[@]}" >>"$log_dir/apt.log" 2>&1 || { cat "$log_dir/apt.log" >&2; exit 1; }
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# From npm: the real office.js (the pane outside Office), MSAL.js (the copy the pane serves is held to it) and
# Microsoft's unified-manifest validator. Reinstalled whenever the lock file changed since the last install.
if ! cmp -s tests/browser/package-lock.json tests/browser/node_modules/.ofu-installed-lock 2>/dev/null; then
  echo "== npm ci (tests/browser)"
  npm ci --prefix tests/browser --no-audit --no-fund >"$log_dir/npm.log" 2>&1 || { cat "$log_dir/npm.log"; exit 1; }
  cp tests/browser/package-lock.json tests/browser/node_modules/.ofu-installed-lock
fi

# --- a throwaway PostgreSQL server on loopback, for the tests that run the service on it -------------------------
# The tests make a database each (OFU_POSTGRES names the server); the server and its files go when the script ends.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pg_dir=$(mktemp -d /tmp/ofu-pg.XXXXXX)
pg_port=$(( 20000 + RANDOM % 20000 ))
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" -ne 0 ] || chown postgres "$pg_dir"
stop_pg() { as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$pg_dir"; }
trap stop_pg EXIT
as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 --no-locale >"$log_dir/pg-initdb.log" 2>&1 \
  || { echo "tests/run.sh: initdb failed:"; cat "$log_dir/pg-initdb.log"; exit 1; }
as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
  -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null \
  || { echo "tests/run.sh: PostgreSQL did not start:"; cat "$pg_dir/server.log"; exit 1; }
export OFU_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres"
echo "== PostgreSQL $("$pg_bin/postgres" --version | awk '{ print $3 }') on 127.0.0.1:$pg_port"

# --- build and unit/integration tests -------------------------------------------------------------------------
echo "== build"
dotnet build OutlookFollowUp.sln -c Release -nologo -v q -clp:ErrorsOnly

echo "== tests"
# Every sandbox of the suite writes here what of its traffic Graph's v1.0 schema does not allow (issue 16).
rm -f "$log_dir/schema-findings.txt"
set +e
dotnet test OutlookFollowUp.sln -c Release --no-build -nologo \
  --logger "console;verbosity=minimal" --logger "trx;LogFileName=results.trx" --results-directory "$log_dir" 2>&1 | tee "$log_dir/dotnet-test.log"
test_status=${PIPESTATUS[0]}
set -e
if [ -s "$log_dir/schema-findings.txt" ]; then
  echo "FAIL: the suite's Graph traffic has what Graph's v1.0 schema does not define:"; head -n 40 "$log_dir/schema-findings.txt"
  test_status=1
fi

# --- the README's two commands, as a user types them ------------------------------------------------------------
echo "== README commands"
smoke_failed=0
# As the README gives it: standard output is the plan alone, so that it can be piped into jq.
if ! dotnet run --project api --no-launch-profile -- plan api/samples/scenario.json >"$log_dir/plan.json" 2>"$log_dir/plan.err"; then
  echo "FAIL: dotnet run --project api --no-launch-profile -- plan api/samples/scenario.json"; cat "$log_dir/plan.err"; smoke_failed=1
elif ! grep -q '"engineVersion"' "$log_dir/plan.json" || [ "$(head -c 1 "$log_dir/plan.json")" != "{" ]; then
  echo "FAIL: the plan command printed something other than the plan:"; head -n 3 "$log_dir/plan.json"; smoke_failed=1
fi
set +e
echo '{ not json' | dotnet run --project api --no-launch-profile -- plan - >/dev/null 2>"$log_dir/bad.err"
bad_status=$?
set -e
if [ "$bad_status" -ne 2 ] || [ "$(wc -l <"$log_dir/bad.err")" -ne 1 ]; then
  echo "FAIL: malformed input should give one line and exit 2 (got $bad_status):"; cat "$log_dir/bad.err"; smoke_failed=1
fi

port=$(( 20000 + RANDOM % 20000 ))
dotnet run --project api -- --urls "http://127.0.0.1:$port" >"$log_dir/server.log" 2>&1 &
server=$!
ok=0
for _ in $(seq 1 60); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then ok=1; break; fi
  sleep 0.5
done
# The demo: the first sweep reads the seeded mailbox within seconds; the page and the JSON then show its processes.
demo=0
if [ "$ok" -eq 1 ]; then
  for _ in $(seq 1 40); do
    if curl -fsS "http://127.0.0.1:$port/demo/processes" 2>/dev/null | grep -q '"processKey"'; then demo=1; break; fi
    sleep 0.5
  done
fi
if [ "$demo" -eq 1 ] && curl -fsS "http://127.0.0.1:$port/" | grep -q "Onsite interview\|Fabrikam" \
   && curl -fsS "http://127.0.0.1:$port/pane/taskpane.html" | grep -q 'src/main.js'; then
  echo "dotnet run --project api serves the demo page, the demo's plans as JSON, the task pane and /healthz"
else
  echo "FAIL: dotnet run --project api did not serve the demo"; cat "$log_dir/server.log"; smoke_failed=1
fi
kill "$server" 2>/dev/null || true
wait "$server" 2>/dev/null || true
pkill -f "OutlookFollowUp.Api --urls http://127.0.0.1:$port" 2>/dev/null || true

# One pass of the sweep from the command line, in a directory of its own (the demo database is made where it runs).
sweep_dir=$(mktemp -d)
if (cd "$sweep_dir" && dotnet run --project "$root/api" -- sweep --once >"$log_dir/sweep.out" 2>"$log_dir/sweep.err") && grep -q "written" "$log_dir/sweep.out"; then
  echo "sweep --once: $(cat "$log_dir/sweep.out")"
else
  echo "FAIL: dotnet run --project api -- sweep --once"; cat "$log_dir/sweep.out" "$log_dir/sweep.err"; smoke_failed=1
fi
rm -rf "$sweep_dir"

# --- the benchmark suite, as a smoke run with tiny inputs (its figures are reported, never asserted) -------------
if dotnet run -c Release --no-build --project tests/OutlookFollowUp.Benchmarks -- --smoke --out "$root/artifacts/bench-smoke" \
     >"$log_dir/bench-smoke.out" 2>"$log_dir/bench-smoke.err" && grep -q '^| figure |' "$root/artifacts/bench-smoke/report.md"; then
  echo "benchmark smoke run: artifacts/bench-smoke/report.md"
else
  echo "FAIL: the benchmark smoke run"; tail -n 30 "$log_dir/bench-smoke.err"; smoke_failed=1
fi

# --- one closing line in the plain form CI reads ----------------------------------------------------------------
count() { grep -oE "$1: +[0-9]+" "$log_dir/dotnet-test.log" | awk '{ n += $2 } END { print n + 0 }'; }
passed=$(count Passed)
failed=$(count Failed)
[ "$test_status" -eq 0 ] || [ "${failed:-0}" -gt 0 ] || failed=1
[ "$smoke_failed" -eq 0 ] || failed=$(( ${failed:-0} + 1 ))
passed=$(( ${passed:-0} + (smoke_failed == 0 ? 5 : 0) ))
echo "${passed} passed, ${failed:-0} failed"
[ "$test_status" -eq 0 ] && [ "$smoke_failed" -eq 0 ]
