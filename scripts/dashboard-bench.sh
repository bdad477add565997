#!/usr/bin/env bash
# Dashboard figures in headless Chromium against an organization with many conversations.
#
#   scripts/dashboard-bench.sh [--conversations N] [--messages M] [--runs N] [--sends N]
#                              [--database-url URL] [--keep]
#
#   --conversations N   conversations to seed (default 10000)
#   --messages M        messages per conversation (default 5)
#   --runs N            page loads per kind, cold and warm (default 5)
#   --sends N           visitor sends measured (default 20)
#   --database-url URL  seed and serve that (empty) PostgreSQL database instead of SQLite
#   --keep              keep the scratch directory (data, server log)
#
# Steps:
#   1. `.build/debug/parley-bench seed --data-dir DIR --conversations N --messages-per-conversation M`
#      (prints {"email","password","org_id"}; writes DIR/parley.sqlite, or the PostgreSQL database).
#   2. `.build/debug/parley serve --data-dir DIR` on a free port (scripts/lib.sh start_parley_server).
#   3. scripts/dashboard_bench.py in the browser-test venv (.build/test-venv: selenium, websockets):
#      (i)  navigation to /app → body[data-app-state=ready] with the inbox rows rendered, read from the
#           page's own clock (performance mark `parley:ready`, relative to navigation start); cold =
#           browser cache cleared before the load, warm = right after another load; N runs each,
#           p50 / max;
#      (ii) a visitor's send (widget visitor API POST, Origin of a bench site) → the message visible
#           in the open conversation and in the inbox row, timed by a MutationObserver installed in
#           the page before the POST (wall clock on both sides, same host); p50 / p99 / max.
#   Figures are printed at the end and written to .test-artifacts/dashboard-bench.json.
#   The binaries are not rebuilt here (swift build first).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"

CONVERSATIONS=10000
MESSAGES=5
RUNS=5
SENDS=20
DATABASE_URL_ARG=""
KEEP=0
VENV="$ROOT/.build/test-venv"
OUT="$ROOT/.test-artifacts/dashboard-bench.json"

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
while (($#)); do
  case "$1" in
    --conversations) CONVERSATIONS="$2"; shift 2 ;;
    --messages) MESSAGES="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --sends) SENDS="$2"; shift 2 ;;
    --database-url) DATABASE_URL_ARG="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

WORK=""
# shellcheck disable=SC2317  # invoked via trap
cleanup() {
  local rc=$?
  set +e
  [[ -n "$SERVER_PID" ]] && stop_pid "$SERVER_PID"
  if [[ -n "$WORK" ]]; then
    if ((KEEP)); then log "kept $WORK"; else rm -rf "$WORK"; fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

stage "Provisioning"
need_cmd python3 python3
need_cmd curl curl
need_cmd chromium chromium
need_cmd chromedriver chromium-driver
[[ -x .build/debug/parley && -x .build/debug/parley-bench ]] || die "build first: .build/debug/parley and parley-bench are needed (swift build)"
make_venv "$VENV"
if ! "$VENV/bin/python" -c 'import selenium, websockets' 2>/dev/null; then
  log "installing selenium and websockets into $VENV"
  timeout 300 "$VENV/bin/python" -m pip install -q --disable-pip-version-check selenium websockets ||
    die "pip install selenium websockets failed"
fi
WORK="$(mktemp -d "${TMPDIR:-/tmp}/parley-dashboard-bench.XXXXXX")"
mkdir -p "$(dirname "$OUT")"

stage "Seeding $CONVERSATIONS conversations x $MESSAGES messages"
seed_args=(seed --data-dir "$WORK/data" --conversations "$CONVERSATIONS" --messages-per-conversation "$MESSAGES")
[[ -n "$DATABASE_URL_ARG" ]] && seed_args+=(--database-url "$DATABASE_URL_ARG")
seed_start=$(date +%s.%N)
.build/debug/parley-bench "${seed_args[@]}" >"$WORK/seed.json" 2>"$WORK/seed.log" ||
  { tail -n 30 "$WORK/seed.log"; die "parley-bench seed failed"; }
seed_end=$(date +%s.%N)
tail -n 3 "$WORK/seed.log" | sed 's/^/  | /'
CREDENTIALS_LINE="$(grep -m1 '^{' "$WORK/seed.json" || true)"
[[ -n "$CREDENTIALS_LINE" ]] || die "parley-bench seed printed no credentials line: $(cat "$WORK/seed.json")"
log "seeded in $(python3 -c "print(round($seed_end - $seed_start, 1))") s: $CREDENTIALS_LINE"
# start_parley_server waits for the first-run credentials file, which a seeded (non-empty) database
# never gets: the seed's own credentials stand in for it.
printf '%s\n' "$CREDENTIALS_LINE" >"$WORK/data/initial-credentials.json"

stage "Server"
env_args=("PARLEY_WEB_ROOT=$ROOT/Sources/ParleyServer/Public" PARLEY_LOGIN_MAX_FAILURES=1000000 PARLEY_LOGIN_MAX_FAILURES_PER_ADDRESS=1000000
  PARLEY_WIDGET_ADDRESS_BURST=100000 PARLEY_WIDGET_ADDRESS_RATE=1000 PARLEY_WIDGET_SITE_BURST=100000 PARLEY_WIDGET_SITE_RATE=1000)
[[ -n "$DATABASE_URL_ARG" ]] && env_args+=("DATABASE_URL=$DATABASE_URL_ARG")
start_parley_server "$ROOT/.build/debug/parley" "$WORK/server.log" "$WORK/data" "${env_args[@]}" ||
  die "the server did not start"

stage "Measuring in headless Chromium"
CHROMIUM="$(command -v chromium)" CHROMEDRIVER="$(command -v chromedriver)" \
  timeout 900 "$VENV/bin/python" "$ROOT/scripts/dashboard_bench.py" --base "$SERVER_BASE" --credentials "$CREDENTIALS_LINE" \
  --runs "$RUNS" --sends "$SENDS" --conversations "$CONVERSATIONS" --out "$OUT"
