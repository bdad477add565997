#!/usr/bin/env bash
# Parley's single test entry point, used by humans and by CI (.ci/run).
#
#   scripts/test.sh [extra args passed to `swift test`]
#
# Stages:
#   1. PostgreSQL: provision a throwaway cluster (initdb + pg_ctl, trust auth,
#      superuser role `parley`, 127.0.0.1 on a free port, durability off for
#      speed) and create the database `parley_test`. The cluster is stopped and
#      its directory removed on exit, whatever happens.
#   2. `swift build --build-tests`, then `swift test "$@"` with
#      PARLEY_TEST_DATABASE_URL exported.
#   3. API contract check: the built server (`.build/debug/parley serve`) is
#      started once on SQLite and once on PostgreSQL and fuzzed with
#      schemathesis against its own /openapi.json (with {org} pinned to the
#      seeded demo organization).
#   4. Browser tests: scripts/browser-tests.sh (the widget in headless Chromium, provisioning
#      chromium, chromedriver, tsc and selenium itself) once on SQLite and once on a fresh
#      PostgreSQL database; artifacts in .test-artifacts/browser-<db>/.
#   Finally a per-stage summary, and the line `N passed, M failed` when it can
#   be computed honestly (see print_summary_counts).
#
# Environment:
#   PARLEY_TEST_DATABASE_URL   If already set, that server is used as is and no
#                              cluster is provisioned. The role in the URL must
#                              be allowed to CREATE DATABASE (the Swift tests
#                              create per-test databases from it, and the
#                              PostgreSQL contract check creates - and drops -
#                              a database of its own).
#   PARLEY_TEST_ONLY_PROVISION=1
#                              Provision PostgreSQL (or take the URL above),
#                              run `psql "$PARLEY_TEST_DATABASE_URL" -c 'select 1'`,
#                              tear down and exit. Checks the database part of
#                              this script without building anything.
#   PARLEY_TEST_SKIP_CONTRACT=1
#                              Skip the schemathesis stage (reported as SKIPPED
#                              in the summary; never set by CI).
#   PARLEY_TEST_SKIP_BROWSER=1
#                              Skip the browser tests (reported as SKIPPED; never set by CI).
#   PARLEY_CONTRACT_SEED       schemathesis seed (default: fixed, so CI runs are
#                              reproducible); `random` passes no seed.
#   PARLEY_CONTRACT_TIMEOUT    hard wall-clock limit in seconds for one
#                              schemathesis run (default 900).
#
# Logs and reports of the last run are kept in .test-artifacts/test-run/
# (gitignored): swift-test.log, the xUnit files, server-<db>.log and
# schemathesis-<db>.xml. schemathesis lives in the venv .build/test-venv.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"

ART="$ROOT/.test-artifacts/test-run"
VENV="$ROOT/.build/test-venv"
# Pinned so that the flags below (schemathesis 4.x CLI) stay valid; bump
# deliberately. The venv is reused between runs and only reinstalled when the
# installed version differs or is missing.
SCHEMATHESIS_VERSION="4.32.5"
SERVER_BIN="$ROOT/.build/debug/parley"
# Operations that revoke the bearer token used for the whole run; fuzzing them
# would turn the rest of the run into 401s.
CONTRACT_EXCLUDE_ARGS=(
  --exclude-operation-id logout
  --exclude-operation-id logoutAll
  --exclude-path-regex '^/api/v1/auth/logout'
)


# ---------------------------------------------------------------------------
# State for cleanup
# ---------------------------------------------------------------------------
WORK=""              # scratch dir (server data dirs, xunit output)
PG_TMP=""            # throwaway cluster: $PG_TMP/data, $PG_TMP/sock
PG_BIN=""
PG_OS_USER=""        # set when the cluster runs as another OS user (root case)
PG_STARTED=0
CONTRACT_DBS_TO_DROP=()   # only used with an externally supplied URL

as_pg() {
  if [[ -n "$PG_OS_USER" ]]; then
    runuser -u "$PG_OS_USER" -- "$@"
  else
    "$@"
  fi
}

stop_server() {
  [[ -n "$SERVER_PID" ]] || return 0
  stop_pid "$SERVER_PID"
  SERVER_PID=""
}

# shellcheck disable=SC2317  # invoked via trap
cleanup() {
  local rc=$?
  set +e
  stop_server
  if ((${#CONTRACT_DBS_TO_DROP[@]})); then
    local db
    for db in "${CONTRACT_DBS_TO_DROP[@]}"; do
      "$PSQL" -X -q "$PARLEY_TEST_DATABASE_URL" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1
    done
  fi
  # Quiet on purpose: the summary line must stay the last line printed.
  if ((PG_STARTED)); then
    (cd "$PG_TMP" && as_pg "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m immediate -w stop >/dev/null 2>&1)
  fi
  [[ -n "$PG_TMP" ]] && rm -rf "$PG_TMP"
  [[ -n "$WORK" ]] && rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------
# PostgreSQL binaries
# ---------------------------------------------------------------------------

# Prints the directory holding initdb, pg_ctl and postgres: the one of the
# initdb found on PATH first, else the highest /usr/lib/postgresql/N/bin.
find_pg_bindir() {
  local c d
  local -a cands=()
  if c="$(command -v initdb 2>/dev/null)"; then
    cands+=("$(dirname "$(readlink -f "$c")")")
  fi
  while IFS= read -r d; do
    [[ -n "$d" ]] && cands+=("$d")
  done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k4,4 -rV)
  for d in "${cands[@]}"; do
    if [[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/postgres" ]]; then
      printf '%s\n' "$d"
      return 0
    fi
  done
  return 1
}

# ---------------------------------------------------------------------------
# Stage: PostgreSQL
# ---------------------------------------------------------------------------
PSQL=""
provision_postgres() {
  if [[ -n "${PARLEY_TEST_DATABASE_URL:-}" ]]; then
    stage "PostgreSQL: using PARLEY_TEST_DATABASE_URL from the environment (no throwaway cluster)"
    PSQL="$(command -v psql 2>/dev/null || true)"
    if [[ -z "$PSQL" ]]; then
      need_cmd psql postgresql-client
      PSQL="$(command -v psql)"
    fi
    return 0
  fi

  stage "PostgreSQL: provisioning a throwaway cluster"
  if ! PG_BIN="$(find_pg_bindir)"; then
    if is_root; then
      log "initdb/pg_ctl not found; installing Debian package postgresql"
      apt_install postgresql
      PG_BIN="$(find_pg_bindir)" ||
        die "installed 'postgresql' but still cannot find initdb/pg_ctl (looked on PATH and in /usr/lib/postgresql/*/bin)"
    else
      die "PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin. Install the Debian package 'postgresql' (sudo apt-get install postgresql) or set PARLEY_TEST_DATABASE_URL to an existing server."
    fi
  fi
  log "using $PG_BIN ($("$PG_BIN/postgres" --version))"

  if [[ -x "$PG_BIN/psql" ]]; then
    PSQL="$PG_BIN/psql"
  else
    need_cmd psql postgresql-client
    PSQL="$(command -v psql)"
  fi

  if is_root; then
    # initdb refuses to run as root: run the cluster as the postgres user.
    PG_OS_USER=postgres
    if ! id -u "$PG_OS_USER" >/dev/null 2>&1; then
      log "creating system user $PG_OS_USER"
      useradd --system --user-group --home-dir /nonexistent --no-create-home \
        --shell /usr/sbin/nologin "$PG_OS_USER"
    fi
    # /tmp rather than $TMPDIR: the postgres user must be able to reach it.
    PG_TMP="$(mktemp -d /tmp/parley-pg.XXXXXX)"
    chown "$PG_OS_USER:" "$PG_TMP"
  else
    PG_TMP="$(mktemp -d "${TMPDIR:-/tmp}/parley-pg.XXXXXX")"
  fi
  chmod 700 "$PG_TMP"
  as_pg mkdir "$PG_TMP/sock"

  local port
  port="$(free_port)"

  (cd "$PG_TMP" && as_pg "$PG_BIN/initdb" -D "$PG_TMP/data" -A trust -U parley \
    -E UTF8 --locale=C --no-sync >"$PG_TMP/initdb.log" 2>&1) || {
    cat "$PG_TMP/initdb.log" >&2
    die "initdb failed"
  }
  cat >>"$PG_TMP/data/postgresql.conf" <<EOF

# --- added by scripts/test.sh (throwaway test cluster) ---
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$PG_TMP/sock'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
EOF

  PG_STARTED=1
  (cd "$PG_TMP" && as_pg "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/postgres.log" \
    -w -t 60 start >/dev/null) || {
    cat "$PG_TMP/postgres.log" >&2 || true
    die "pg_ctl start failed"
  }

  local admin_url="postgres://parley@127.0.0.1:$port/postgres" i
  for ((i = 0; i < 60; i++)); do
    "$PSQL" -X -q -At "$admin_url" -c 'select 1' >/dev/null 2>&1 && break
    sleep 0.5
  done
  "$PSQL" -X -q -v ON_ERROR_STOP=1 "$admin_url" -c 'CREATE DATABASE parley_test' >/dev/null || {
    cat "$PG_TMP/postgres.log" >&2 || true
    die "PostgreSQL did not become ready"
  }
  export PARLEY_TEST_DATABASE_URL="postgres://parley@127.0.0.1:$port/parley_test"
  log "PostgreSQL ready: PARLEY_TEST_DATABASE_URL=$PARLEY_TEST_DATABASE_URL"
}

# create_server_database PURPOSE: a fresh database for a server run (the contract check, the
# browser tests); sets SERVER_DB_URL. (Not called in a command substitution: CONTRACT_DBS_TO_DROP
# must persist.)
SERVER_DB_URL=""
create_server_database() {
  local name="parley_$1_$$"
  "$PSQL" -X -q -v ON_ERROR_STOP=1 "$PARLEY_TEST_DATABASE_URL" \
    -c "CREATE DATABASE \"$name\"" >/dev/null || return 1
  if ((!PG_STARTED)); then
    CONTRACT_DBS_TO_DROP+=("$name")
  fi
  SERVER_DB_URL="$(python3 - "$PARLEY_TEST_DATABASE_URL" "$name" <<'PY'
import sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
print(urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + sys.argv[2], u.query, u.fragment)))
PY
)"
}

# ---------------------------------------------------------------------------
# Stage: schemathesis venv
# ---------------------------------------------------------------------------
ensure_schemathesis() {
  local st="$VENV/bin/schemathesis" have=""
  if [[ -x "$VENV/bin/python" ]]; then
    have="$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null || true)"
  fi
  if [[ "$have" == "$SCHEMATHESIS_VERSION" && -x "$st" ]]; then
    log "schemathesis $have (reusing $VENV)"
    return 0
  fi
  make_venv "$VENV"
  log "installing schemathesis==$SCHEMATHESIS_VERSION into $VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
}

# ---------------------------------------------------------------------------
# Stage: contract check against one database backend
# ---------------------------------------------------------------------------
# run_contract sqlite|postgres ; returns non-zero on any failure.
run_contract() {
  local db="$1"
  local data server_log base
  data="$(mktemp -d "$WORK/contract-$db.XXXXXX")"
  server_log="$ART/server-$db.log"

  local -a env_args=(PARLEY_LOGIN_MAX_FAILURES=1000000 PARLEY_LOGIN_MAX_FAILURES_PER_ADDRESS=1000000)
  if [[ "$db" == postgres ]]; then
    create_server_database contract || {
      log "error: could not create a database for the contract check"
      return 1
    }
    env_args+=("DATABASE_URL=$SERVER_DB_URL")
    log "server database: $SERVER_DB_URL"
  fi
  start_parley_server "$SERVER_BIN" "$server_log" "$data" "${env_args[@]}" || { stop_server; return 1; }
  base="$SERVER_BASE"

  local creds="$data/initial-credentials.json" body resp status token
  body="$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(json.dumps({"email": d["email"], "password": d["password"]}))' "$creds")" || {
    log "error: cannot read email/password from $creds"
    stop_server
    return 1
  }
  resp="$(curl -sS -m 10 -X POST -H 'Content-Type: application/json' --data "$body" \
    -w '\n%{http_code}' "$base/api/v1/auth/login" 2>&1 || true)"
  status="${resp##*$'\n'}"
  token="$(printf '%s' "${resp%$'\n'*}" | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])' 2>/dev/null || true)"
  if [[ "$status" != 200 || -z "$token" ]]; then
    log "error: login failed (HTTP ${status:-?}): ${resp%$'\n'*}"
    tail -n 50 "$server_log" | sed 's/^/  | /'
    stop_server
    return 1
  fi
  log "logged in as the initial user"

  # A random {org} answers 404 before any handler runs, so without this every
  # /api/v1/orgs/{org}/... operation would only ever be checked for its 404.
  # Pin {org} to the seeded demo organization and {conversation} to its demo
  # conversation (schemathesis.toml [parameters]); other ids stay generated.
  local config="$data/schemathesis.toml" org conversation
  org="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["organization_id"])' "$creds" 2>/dev/null || true)"
  conversation="$(curl -sS -m 10 -H "Authorization: Bearer $token" "$base/api/v1/orgs/$org/conversations?limit=1" 2>/dev/null |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["items"][0]["id"])' 2>/dev/null || true)"
  if [[ -z "$org" || -z "$conversation" ]]; then
    log "error: cannot find the demo organization and conversation (org: ${org:-?}, conversation: ${conversation:-?})"
    stop_server
    return 1
  fi
  # The widget routes answer only the demo site's allowed origin (the server's own URL), so pin its
  # key and that Origin too; the agent token they receive is refused (401), as documented.
  local site_key
  site_key="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["site_key"])' "$creds" 2>/dev/null || true)"
  printf '[parameters]\n"path.org" = "%s"\n"path.conversation" = "%s"\n"path.site_key" = "%s"\n"header.Origin" = "%s"\n' \
    "$org" "$conversation" "$site_key" "$base" >"$config"
  log "pinned {org} = $org, {conversation} = $conversation, {site_key} = $site_key, Origin = $base"

  local st="$VENV/bin/schemathesis" help check
  help="$("$st" run --help)"
  local checks="not_a_server_error,response_schema_conformance"
  for check in status_code_conformance content_type_conformance; do
    if grep -qw "$check" <<<"$help"; then checks+=",$check"; fi
  done
  local -a st_args=(
    --config-file "$config"
    run "$base/openapi.json"
    --checks "$checks"
    --max-examples 25
    --workers 1
    --request-timeout 20
    --generation-database none
    --header "Authorization: Bearer $token"
    "${CONTRACT_EXCLUDE_ARGS[@]}"
    --report junit --report-junit-path "$ART/schemathesis-$db.xml"
  )
  local seed="${PARLEY_CONTRACT_SEED:-20240601}"
  [[ "$seed" != random ]] && st_args+=(--seed "$seed")
  [[ -t 1 ]] || st_args+=(--no-color)
  # No --max-time: in schemathesis 4.x it makes fuzzing repeat until the budget
  # is spent. Each run is bounded by --max-examples instead, and `timeout`
  # is the hard wall-clock limit.
  local limit="${PARLEY_CONTRACT_TIMEOUT:-900}" rc=0
  log "+ schemathesis ${st_args[*]//"$token"/<token>}"
  (cd "$WORK" && timeout --kill-after=10 "$limit" "$st" "${st_args[@]}") || rc=$?

  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    log "error: the server died during the contract check"
    if ((rc == 0)); then rc=1; fi
  fi
  stop_server
  if ((rc != 0)); then
    ((rc == 124)) && log "error: schemathesis exceeded ${limit}s (PARLEY_CONTRACT_TIMEOUT)"
    log "schemathesis failed (exit $rc) against $db; tail of the server log (${server_log#"$ROOT"/}):"
    tail -n 60 "$server_log" | sed 's/^/  | /'
    return 1
  fi
  return 0
}

# ---------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------
# Prints "PASSED FAILED SKIPPED" for the swift test run, or nothing if the
# numbers cannot be trusted. Counts come from the xUnit files SwiftPM writes
# (Swift Testing always; XCTest only under --parallel): one <testcase> per
# test, failed = has <failure>, skipped = has <skipped>. XCTest cases that ran
# without an xUnit file are counted from their "Test Case '...' passed/failed/
# skipped" lines. Every number is cross-checked against the runners' own
# totals ("Test run with N tests", "Executed N tests"); on any mismatch or
# parse problem nothing is printed.
swift_test_counts() {
  python3 - "$ART/swift-test.log" "$WORK" <<'PY'
import glob, os, re, sys
import xml.etree.ElementTree as ET

log_path, xml_dir = sys.argv[1], sys.argv[2]

def xml_counts(path):
    if os.path.getsize(path) == 0:
        return [0, 0, 0]
    root = ET.parse(path).getroot()
    counts = [0, 0, 0]
    declared = sum(int(s.get("failures", "0") or 0)
                   for s in ([root] if root.tag == "testsuite" else root.iter("testsuite")))
    failure_elems = 0
    for case in root.iter("testcase"):
        nfail = len(case.findall("failure"))
        failure_elems += nfail
        if nfail or case.find("error") is not None:
            counts[1] += 1
        elif case.find("skipped") is not None:
            counts[2] += 1
        else:
            counts[0] += 1
    if declared > failure_elems:
        raise ValueError("failures not attributed to any test case")
    return counts

def main():
    text = open(log_path, encoding="utf-8", errors="replace").read()
    xml = [0, 0, 0]
    for path in glob.glob(os.path.join(xml_dir, "swift-test*.xml")):
        for i, v in enumerate(xml_counts(path)):
            xml[i] += v
    st_runs = sum(int(n) for n in re.findall(r"Test run with (\d+) tests?\b", text))
    lines = [0, 0, 0]
    for status in re.findall(r"^Test Case '[^']*' (passed|failed|skipped) \(", text, re.M):
        lines[("passed", "failed", "skipped").index(status)] += 1
    executed = re.findall(r"^\s*Executed (\d+) tests?, with", text, re.M)
    executed = int(executed[-1]) if executed else None
    if sum(lines):
        # Serial XCTest: its cases are in the console only; the xUnit files
        # hold exactly the Swift Testing tests.
        if executed is not None and executed != sum(lines):
            return
        if sum(xml) != st_runs:
            return
        total = [a + b for a, b in zip(xml, lines)]
    else:
        # No XCTest case lines: either no XCTest tests ran, or --parallel
        # (XCTest results are then in their own xUnit file).
        extra = sum(xml) - st_runs
        if extra < 0 or (executed is not None and executed != extra):
            return
        total = xml
    print(*total)

try:
    main()
except Exception:
    pass
PY
}

# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------
need_cmd python3 python3
need_cmd curl curl
need_file /usr/include/sqlite3.h libsqlite3-dev  # Parley links the system SQLite

WORK="$(mktemp -d "${TMPDIR:-/tmp}/parley-test.XXXXXX")"

provision_postgres

if [[ "${PARLEY_TEST_ONLY_PROVISION:-}" == 1 ]]; then
  stage "PARLEY_TEST_ONLY_PROVISION=1: checking the database and exiting"
  "$PSQL" -X "$PARLEY_TEST_DATABASE_URL" -c 'select 1'
  exit 0
fi

rm -rf "$ART"
mkdir -p "$ART"

declare -a STAGE_NAMES=() STAGE_RESULTS=()
record() { STAGE_NAMES+=("$1"); STAGE_RESULTS+=("$2"); }
FAILED=0

stage "swift build --build-tests"
if ! swift build --build-tests; then
  record "swift build" FAILED
  log ""
  log "==> swift build failed; nothing else can run"
  exit 1
fi
record "swift build" PASSED

stage "swift test${*:+ $*}"
xunit_args=()
has_xunit=0
for a in "$@"; do [[ "$a" == --xunit-output* ]] && has_xunit=1; done
((has_xunit)) || xunit_args=(--xunit-output "$WORK/swift-test.xml")
swift_rc=0
swift test "${xunit_args[@]}" "$@" 2>&1 | tee "$ART/swift-test.log" || swift_rc=$?
if ((swift_rc == 0)); then
  record "swift test" PASSED
else
  record "swift test" "FAILED (exit $swift_rc)"
  FAILED=1
fi
cp "$WORK"/swift-test*.xml "$ART/" 2>/dev/null || true
swift_counts="$(swift_test_counts || true)"
((has_xunit)) && swift_counts=""

contract_passed=0
contract_failed=0
if [[ "${PARLEY_TEST_SKIP_CONTRACT:-}" == 1 ]]; then
  stage "API contract check: SKIPPED (PARLEY_TEST_SKIP_CONTRACT=1)"
  record "contract check" "SKIPPED (PARLEY_TEST_SKIP_CONTRACT=1)"
else
  stage "API contract check: schemathesis environment"
  if ensure_schemathesis; then
    for db in sqlite postgres; do
      stage "API contract check: schemathesis against parley serve ($db)"
      if run_contract "$db"; then
        record "contract check ($db)" PASSED
        contract_passed=$((contract_passed + 1))
      else
        record "contract check ($db)" FAILED
        contract_failed=$((contract_failed + 1))
        FAILED=1
      fi
    done
  else
    record "contract check" "FAILED (could not install schemathesis)"
    contract_failed=2
    FAILED=1
  fi
fi

# The widget in headless Chromium, once per database (scripts/browser-tests.sh); its own
# "N passed, M failed" line is added to the totals.
browser_passed=0
browser_failed=0
if [[ "${PARLEY_TEST_SKIP_BROWSER:-}" == 1 ]]; then
  stage "Browser tests: SKIPPED (PARLEY_TEST_SKIP_BROWSER=1)"
  record "browser tests" "SKIPPED (PARLEY_TEST_SKIP_BROWSER=1)"
else
  for db in sqlite postgres; do
    stage "Browser tests ($db)"
    browser_args=()
    if [[ "$db" == postgres ]]; then
      if create_server_database browser; then
        browser_args=(--database-url "$SERVER_DB_URL")
      else
        record "browser tests ($db)" "FAILED (could not create a database)"
        browser_failed=$((browser_failed + 1))
        FAILED=1
        continue
      fi
    fi
    browser_rc=0
    PARLEY_BROWSER_ARTIFACTS="$ROOT/.test-artifacts/browser-$db" ./scripts/browser-tests.sh "${browser_args[@]}" 2>&1 |
      tee "$ART/browser-$db.log" || browser_rc=$?
    totals="$(tail -n 1 "$ART/browser-$db.log" | grep -E '^[0-9]+ passed, [0-9]+ failed$' || true)"
    if [[ -n "$totals" ]]; then
      read -r bp _ bf _ <<<"$totals"
      browser_passed=$((browser_passed + bp))
      browser_failed=$((browser_failed + bf))
    elif ((browser_rc != 0)); then
      browser_failed=$((browser_failed + 1))
    fi
    if ((browser_rc == 0)); then
      record "browser tests ($db)" PASSED
    else
      record "browser tests ($db)" "FAILED (exit $browser_rc)"
      FAILED=1
    fi
  done
fi

stage "Summary"
for i in "${!STAGE_NAMES[@]}"; do
  printf '  %-28s %s\n' "${STAGE_NAMES[$i]}" "${STAGE_RESULTS[$i]}"
done
# CI keeps only the tail of this output: repeat what failed in swift test here.
if ((swift_rc != 0)); then
  log "  swift test issues (first 20; full log: $ART/swift-test.log):"
  grep -E "recorded an issue|error: |^Test Case '.*' failed|Fatal error" "$ART/swift-test.log" \
    | head -20 | cut -c1-400 | sed 's/^/    /' || true
fi
# The closing line counts every swift test case, each contract check run (one
# per database backend) and every browser test case as one test. It is printed only when the swift
# test numbers could be read reliably (see swift_test_counts); otherwise
# swift test's own summary above stands.
if [[ -n "$swift_counts" ]]; then
  read -r sp sf ss <<<"$swift_counts"
  if ((swift_rc != 0 && sf == 0)); then
    log "  (swift test exited $swift_rc without a failing test case; no totals line)"
  else
    ((ss > 0)) && log "  swift test cases skipped: $ss"
    printf '%d passed, %d failed\n' "$((sp + contract_passed + browser_passed))" "$((sf + contract_failed + browser_failed))"
  fi
fi
exit "$FAILED"
