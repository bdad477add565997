#!/usr/bin/env bash
# Real-browser tests of the embeddable chat widget: headless Chromium driven by Selenium (Python)
# against the built server. Tests and helpers live in Tests/browser/.
#
#   scripts/browser-tests.sh [--database-url URL] [-- PYTEST_ARGS...]
#
#   --database-url URL   run the server on that PostgreSQL database (DATABASE_URL) instead of a
#                        throwaway SQLite data directory. The database must be empty: the tests
#                        log in with the credentials the server's first run writes.
#   PYTEST_ARGS          passed to pytest as is, e.g. -- -k upload -x
#
# Steps:
#   1. Provision: chromium and chromedriver (Debian chromium, chromium-driver), tsc (Debian
#      node-typescript), and selenium, pytest, websockets in the venv .build/test-venv. Missing
#      Debian packages are installed with apt-get when running as root (otherwise the run stops
#      naming them); missing python packages are pip-installed into the venv.
#   2. Type check: `tsc -p tsconfig.json --noEmit` (the widget's JSDoc types). A type error fails
#      the run; the browser tests still run, for information.
#   3. Start `.build/debug/parley serve` (not rebuilt here) on 127.0.0.1 and a free port, with
#      PARLEY_WEB_ROOT (Sources/ParleyServer/Public) so the widget files are read from disk; wait
#      for GET /ready and for initial-credentials.json.
#   4. pytest Tests/browser (env: PARLEY_BASE, PARLEY_CREDENTIALS, PARLEY_ARTIFACTS, CHROMIUM,
#      CHROMEDRIVER), junit XML, screenshots, failure dumps (FAILED-<test>.png/.html/.console.txt)
#      and metrics.json in .test-artifacts/browser/.
#   Finally a summary and the line `N passed, M failed` (the type check counts as one test).
#   The server, the browsers and the scratch directory are removed on exit, whatever happens.
#
# Environment:
#   PARLEY_BROWSER_TIMEOUT  wall-clock limit for pytest in seconds (default 600).
#   PARLEY_WEB_ROOT         widget files to serve (default Sources/ParleyServer/Public), e.g. to
#                           check that the tests catch a deliberately broken copy.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"

ART="${PARLEY_BROWSER_ARTIFACTS:-$ROOT/.test-artifacts/browser}"
VENV="$ROOT/.build/test-venv"
SERVER_BIN="$ROOT/.build/debug/parley"
WEB_ROOT="${PARLEY_WEB_ROOT:-$ROOT/Sources/ParleyServer/Public}"
PYTEST_TIMEOUT="${PARLEY_BROWSER_TIMEOUT:-600}"
PY_PACKAGES=(selenium pytest websockets)


usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

DATABASE_URL_ARG=""
PYTEST_ARGS=()
while (($#)); do
  case "$1" in
    --database-url) (($# >= 2)) || die "--database-url needs a URL"; DATABASE_URL_ARG="$2"; shift 2 ;;
    --database-url=*) DATABASE_URL_ARG="${1#*=}"; shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; PYTEST_ARGS=("$@"); break ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done


# ---------------------------------------------------------------------------
# Cleanup
# ---------------------------------------------------------------------------
WORK=""
PYTEST_PID=""   # also its process group: pytest, chromedriver and the browsers


# shellcheck disable=SC2317  # invoked via trap
cleanup() {
  local rc=$?
  set +e
  [[ -n "$PYTEST_PID" ]] && stop_pid "$PYTEST_PID" group
  [[ -n "$SERVER_PID" ]] && stop_pid "$SERVER_PID"
  [[ -n "$WORK" ]] && rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------
# Provisioning
# ---------------------------------------------------------------------------

ensure_venv() {
  make_venv "$VENV"
  local missing
  missing="$("$VENV/bin/python" - "${PY_PACKAGES[@]}" <<'PY'
import importlib.util, sys
print(" ".join(name for name in sys.argv[1:] if importlib.util.find_spec(name) is None))
PY
)"
  if [[ -n "$missing" ]]; then
    log "installing into $VENV: $missing"
    # shellcheck disable=SC2086  # word splitting intended: one name per package
    timeout 300 "$VENV/bin/python" -m pip install -q --disable-pip-version-check $missing ||
      die "pip install $missing into $VENV failed"
  fi
  log "python packages: $("$VENV/bin/python" -c 'import importlib.metadata as m, sys
print(", ".join(f"{n} {m.version(n)}" for n in sys.argv[1:]))' "${PY_PACKAGES[@]}")"
}

major_version() { "$1" --version 2>/dev/null | grep -oE '[0-9]+\.[0-9.]+' | head -n1 | cut -d. -f1; }

# ---------------------------------------------------------------------------
# Server
# ---------------------------------------------------------------------------
BASE=""
CREDENTIALS=""
start_server() {
  # Every browser of the run is one client address; the per-address widget limits would refuse them.
  local -a env_args=("PARLEY_WEB_ROOT=$WEB_ROOT" PARLEY_LOGIN_MAX_FAILURES=1000000 PARLEY_LOGIN_MAX_FAILURES_PER_ADDRESS=1000000
    PARLEY_WIDGET_ADDRESS_BURST=100000 PARLEY_WIDGET_ADDRESS_RATE=1000)
  [[ -n "$DATABASE_URL_ARG" ]] && env_args+=("DATABASE_URL=$DATABASE_URL_ARG")
  start_parley_server "$SERVER_BIN" "$ART/server.log" "$WORK/data" "${env_args[@]}" || return 1
  BASE="$SERVER_BASE"
  CREDENTIALS="$WORK/data/initial-credentials.json"
}

# ---------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------
junit_counts() {  # prints "PASSED FAILED SKIPPED" from the junit XML, or nothing
  python3 - "$ART/junit.xml" <<'PY' 2>/dev/null || true
import sys
import xml.etree.ElementTree as ET
counts = [0, 0, 0]
for case in ET.parse(sys.argv[1]).getroot().iter("testcase"):
    if case.find("failure") is not None or case.find("error") is not None:
        counts[1] += 1
    elif case.find("skipped") is not None:
        counts[2] += 1
    else:
        counts[0] += 1
print(*counts)
PY
}

print_metrics() {
  [[ -s "$ART/metrics.json" ]] || return 0
  python3 - "$ART/metrics.json" <<'PY' || true
import json, sys
m = json.load(open(sys.argv[1]))
t = m["time_to_ready_ms"]
print(f"  widget size (gzip -9): {m['widget_gzip_bytes_total']} bytes in {len(m['files'])} files; "
      f"time to ready: {t['cold']} ms cold, {t['warm']} ms warm")
PY
}

# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------
declare -a STAGE_NAMES=() STAGE_RESULTS=()
record() { STAGE_NAMES+=("$1"); STAGE_RESULTS+=("$2"); }
FAILED=0

stage "Provisioning"
need_cmd python3 python3
need_cmd curl curl
need_cmd chromium chromium
need_cmd chromedriver chromium-driver
need_cmd tsc node-typescript
CHROMIUM="$(command -v chromium)"
CHROMEDRIVER="$(command -v chromedriver)"
browser_major="$(major_version "$CHROMIUM")"
driver_major="$(major_version "$CHROMEDRIVER")"
[[ -n "$browser_major" && "$browser_major" == "$driver_major" ]] ||
  die "chromium ($browser_major) and chromedriver ($driver_major) major versions differ; install matching Debian packages chromium and chromium-driver"
log "chromium $browser_major ($CHROMIUM), chromedriver ($CHROMEDRIVER), tsc $(tsc --version | grep -oE '[0-9.]+$')"
ensure_venv

rm -rf "$ART"
mkdir -p "$ART"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/parley-browser.XXXXXX")"

stage "Type check: tsc -p tsconfig.json --noEmit"
tsc_ok=0
if [[ ! -f "$ROOT/tsconfig.json" ]]; then
  log "error: $ROOT/tsconfig.json not found (the widget's type-check configuration)"
  record "tsc type check" "FAILED (no tsconfig.json)"
elif timeout 180 tsc -p "$ROOT/tsconfig.json" --noEmit --pretty false 2>&1 | tee "$ART/tsc.log"; then  # pipefail: tsc's status
  tsc_ok=1
  record "tsc type check" PASSED
else
  record "tsc type check" "FAILED (see ${ART#"$ROOT"/}/tsc.log)"
fi
((tsc_ok)) || FAILED=1

stage "Server"
pytest_rc=""
if start_server; then
  record "server start" PASSED
  stage "pytest Tests/browser (limit ${PYTEST_TIMEOUT}s)"
  # Own process group, so that a timeout or an interrupt also ends chromedriver and the browsers.
  PARLEY_BASE="$BASE" PARLEY_CREDENTIALS="$CREDENTIALS" PARLEY_ARTIFACTS="$ART" \
    CHROMIUM="$CHROMIUM" CHROMEDRIVER="$CHROMEDRIVER" PYTHONDONTWRITEBYTECODE=1 \
    setsid timeout --kill-after=10 "$PYTEST_TIMEOUT" "$VENV/bin/python" -m pytest "$ROOT/Tests/browser" \
    --junitxml="$ART/junit.xml" -o junit_family=xunit1 "${PYTEST_ARGS[@]}" </dev/null &
  PYTEST_PID=$!
  pytest_rc=0
  wait "$PYTEST_PID" || pytest_rc=$?
  PYTEST_PID=""
  if ((pytest_rc == 0)); then
    record "browser tests" PASSED
  else
    ((pytest_rc == 124)) && log "error: pytest exceeded ${PYTEST_TIMEOUT}s (PARLEY_BROWSER_TIMEOUT)"
    record "browser tests" "FAILED (exit $pytest_rc)"
    FAILED=1
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then log "error: the server died during the tests"; fi
    log "tail of the server log:"
    tail -n 25 "$ART/server.log" | sed 's/^/  | /'
  fi
else
  record "server start" FAILED
  FAILED=1
fi
stop_pid "$SERVER_PID"
SERVER_PID=""

stage "Summary"
for i in "${!STAGE_NAMES[@]}"; do
  printf '  %-20s %s\n' "${STAGE_NAMES[$i]}" "${STAGE_RESULTS[$i]}"
done
print_metrics
log "  artifacts: ${ART#"$ROOT"/}/ (junit.xml, *.png, metrics.json, server.log)"
counts=""
[[ -n "$pytest_rc" && -s "$ART/junit.xml" ]] && counts="$(junit_counts)"
if [[ -n "$counts" ]]; then
  read -r passed failed skipped <<<"$counts"
  ((skipped > 0)) && log "  browser tests skipped: $skipped"
  printf '%d passed, %d failed\n' "$((passed + tsc_ok))" "$((failed + 1 - tsc_ok))"
elif [[ -n "$pytest_rc" ]]; then
  log "  (no junit results from pytest; no totals line)"
else
  printf '%d passed, %d failed\n' "$tsc_ok" "$((1 - tsc_ok + 1))"
fi
exit "$FAILED"
