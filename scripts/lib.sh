# Helpers shared by scripts/test.sh and scripts/browser-tests.sh (sourced, not run).
#
#   log / stage / die            output
#   is_root, free_port
#   apt_install PKG...           apt-get install (update first, once; waits for the dpkg lock)
#   need_cmd COMMAND PACKAGE     the command, installing the Debian package when root, or stop naming it
#   need_file PATH PACKAGE       the same for a file (a C header the build links against)
#   make_venv DIR                a working Python venv in DIR (installs python3-venv when root and needed)
#   stop_pid PID [group]         TERM, then KILL after 10 s (a whole process group with `group`)
#   start_parley_server BIN LOG DATA [VAR=VALUE...]
#                                `BIN serve` on 127.0.0.1 and a free port with those variables set;
#                                sets SERVER_PID and SERVER_BASE, waits for GET /ready and for
#                                DATA/initial-credentials.json; on failure prints the log's tail
#                                and returns 1

log() { printf '%s\n' "$*"; }
stage() { printf '\n==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
is_root() { [[ "$(id -u)" -eq 0 ]]; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

APT_UPDATED=0
apt_install() {
  if ((!APT_UPDATED)); then
    timeout 300 apt-get -o DPkg::Lock::Timeout=240 update
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive timeout 900 apt-get -o DPkg::Lock::Timeout=240 install -y --no-install-recommends "$@"
}

need_cmd() {
  command -v "$1" >/dev/null 2>&1 && return 0
  if is_root && command -v apt-get >/dev/null 2>&1; then
    log "$1 not found; installing Debian package $2"
    apt_install "$2" || die "apt-get install $2 failed"
    command -v "$1" >/dev/null 2>&1 && return 0
  fi
  die "'$1' is required; install the Debian package '$2' (apt-get install $2)"
}

need_file() {
  [[ -e "$1" ]] && return 0
  if is_root && command -v apt-get >/dev/null 2>&1; then
    log "$1 not found; installing Debian package $2"
    apt_install "$2" || die "apt-get install $2 failed"
    [[ -e "$1" ]] && return 0
  fi
  die "'$1' is required; install the Debian package '$2' (apt-get install $2)"
}

make_venv() {
  local venv="$1"
  [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -c 'import sys' >/dev/null 2>&1 && return 0
  log "creating the venv $venv"
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  if ! python3 -m venv "$venv"; then
    is_root || die "python3 -m venv failed; install the Debian package 'python3-venv'"
    rm -rf "$venv"
    apt_install python3-venv
    python3 -m venv "$venv" || die "python3 -m venv failed even after installing python3-venv"
  fi
}

stop_pid() {
  local pid="$1" target="$1" i
  [[ "${2:-}" == group ]] && target="-$1"
  kill -TERM -- "$target" 2>/dev/null || return 0
  for ((i = 0; i < 50; i++)); do
    kill -0 -- "$target" 2>/dev/null || break
    sleep 0.2
  done
  kill -KILL -- "$target" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

SERVER_PID=""
SERVER_BASE=""
start_parley_server() {
  local bin="$1" server_log="$2" data="$3" port i code
  shift 3
  [[ -x "$bin" ]] || { log "error: $bin not found; build the server first (swift build)"; return 1; }
  port="$(free_port)"
  SERVER_BASE="http://127.0.0.1:$port"
  mkdir -p "$data"
  env -u DATABASE_URL -u PARLEY_ENV -u PARLEY_PUBLIC_URL -u PARLEY_HOST -u PARLEY_PORT -u PARLEY_DATA_DIR "$@" \
    "$bin" serve --host 127.0.0.1 --port "$port" --data-dir "$data" >"$server_log" 2>&1 </dev/null &
  SERVER_PID=$!
  log "started parley serve (pid $SERVER_PID) on $SERVER_BASE, log: $server_log"
  code=""
  for ((i = 0; i < 120; i++)); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      log "error: the server exited before becoming ready; log:"
      tail -n 60 "$server_log" | sed 's/^/  | /'
      SERVER_PID=""
      return 1
    fi
    code="$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$SERVER_BASE/ready" 2>/dev/null || true)"
    [[ "$code" == 200 ]] && break
    sleep 0.5
  done
  if [[ "$code" != 200 ]]; then
    log "error: GET /ready did not answer 200 within 60 s (last: ${code:-no answer}); log:"
    tail -n 60 "$server_log" | sed 's/^/  | /'
    return 1
  fi
  for ((i = 0; i < 20; i++)); do
    [[ -s "$data/initial-credentials.json" ]] && break
    sleep 0.25
  done
  if [[ ! -s "$data/initial-credentials.json" ]]; then
    log "error: the server wrote no $data/initial-credentials.json (it does so only on its first run against an empty database)"
    return 1
  fi
  log "server ready"
}
