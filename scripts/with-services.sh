#!/usr/bin/env bash
# Runs a command with the services kaapana-ext's tests and demo need: a Docker engine (classic
# builder, no network set-up) and a Docker registry on 127.0.0.1:5000. Installs what is missing
# (Debian packages, when root; node modules when node_modules is absent), starts only what is not
# already running, and stops exactly what it started, by PID, whatever the command's outcome.
#
#   bash scripts/with-services.sh <command> [args...]
#
# Environment it exports to the command: KX_REGISTRY (host:port of the registry), DOCKER_BUILDKIT=0,
# KX_REQUIRE_SERVICES=1 (a test that finds dockerd or the registry missing fails instead of skipping).
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="${KX_SERVICES_DIR:-/tmp/kx-services}"
mkdir -p "$state"
registry_addr="${KX_REGISTRY:-127.0.0.1:5000}"
started=()

log() { printf '[with-services] %s\n' "$*" >&2; }

apt_install() {
  if [ "$(id -u)" != 0 ]; then
    log "missing $*; not root, so install it yourself (apt-get install $*)"
    return 1
  fi
  log "installing Debian packages: $*"
  local lock=/tmp/kx-apt.lock
  (
    flock 9
    if [ ! -f "$state/apt-updated" ]; then
      apt-get update -qq >"$state/apt.log" 2>&1 && touch "$state/apt-updated"
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >>"$state/apt.log" 2>&1
  ) 9>"$lock" || { log "apt-get install failed, see $state/apt.log"; tail -20 "$state/apt.log" >&2; return 1; }
}

ensure_packages() {
  local want=()
  command -v dockerd >/dev/null || want+=(docker.io)
  command -v docker >/dev/null || want+=(docker.io)
  command -v docker-registry >/dev/null || want+=(docker-registry)
  [ -x /bin/busybox ] && file_is_static /bin/busybox || want+=(busybox-static)
  command -v dciodvfy >/dev/null || want+=(dicom3tools)
  command -v dcmdump >/dev/null || want+=(dcmtk)
  command -v openssl >/dev/null || want+=(openssl)
  # action-install-extension's copy over SSH is tested against a real sshd on a loopback port.
  [ -x /usr/sbin/sshd ] || want+=(openssh-server)
  command -v ssh >/dev/null || want+=(openssh-client)
  command -v ssh-keygen >/dev/null || want+=(openssh-client)
  # kubectl: keep the one on PATH; Debian's kubernetes-client conflicts with other installs.
  command -v kubectl >/dev/null || want+=(kubernetes-client)
  if [ ${#want[@]} -gt 0 ]; then
    # shellcheck disable=SC2207
    want=($(printf '%s\n' "${want[@]}" | sort -u))
    apt_install "${want[@]}" || return 1
  fi
}

file_is_static() {
  # busybox from the 'busybox' package is dynamic and cannot run in a FROM scratch image.
  ! ldd "$1" >/dev/null 2>&1
}

ensure_node_modules() {
  if [ ! -d "$root/node_modules" ]; then
    log "node_modules missing: npm ci"
    (cd "$root" && npm ci --no-audit --no-fund) || return 1
  fi
}

start_dockerd() {
  if docker info >/dev/null 2>&1; then
    log "dockerd already running"
    return 0
  fi
  if ip link show docker0 >/dev/null 2>&1; then
    ip link delete docker0 >/dev/null 2>&1 || true
  fi
  log "starting dockerd (log: $state/dockerd.log)"
  dockerd --bridge=none --iptables=false --ip-forward=false --ip-masq=false \
    --pidfile "$state/dockerd.pid" >"$state/dockerd.log" 2>&1 &
  local pid=$!
  started+=("$pid")
  for _ in $(seq 1 120); do
    if docker info >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      log "dockerd exited during start-up:"; tail -20 "$state/dockerd.log" >&2; return 1
    fi
    sleep 0.5
  done
  log "dockerd did not become ready in 60 s"; tail -20 "$state/dockerd.log" >&2
  return 1
}

registry_up() {
  curl -fsS -o /dev/null --max-time 2 "http://$registry_addr/v2/" 2>/dev/null
}

start_registry() {
  if registry_up; then
    log "registry already answering on $registry_addr"
    return 0
  fi
  mkdir -p "$state/registry-data"
  cat >"$state/registry.yml" <<CFG
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $state/registry-data
  delete:
    enabled: true
http:
  addr: $registry_addr
CFG
  log "starting docker-registry on $registry_addr (log: $state/registry.log)"
  docker-registry serve "$state/registry.yml" >"$state/registry.log" 2>&1 &
  local pid=$!
  started+=("$pid")
  for _ in $(seq 1 60); do
    if registry_up; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      log "registry exited during start-up:"; tail -20 "$state/registry.log" >&2; return 1
    fi
    sleep 0.5
  done
  log "registry did not answer in 30 s"; return 1
}

stop_started() {
  local i pid
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do
    pid="${started[$i]}"
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
    fi
  done
}
trap stop_started EXIT
trap 'exit 130' INT TERM

if [ $# -eq 0 ]; then
  echo "usage: bash scripts/with-services.sh <command> [args...]" >&2
  exit 2
fi

ensure_packages || exit 1
ensure_node_modules || exit 1
start_dockerd || exit 1
start_registry || exit 1

export KX_REGISTRY="$registry_addr"
export DOCKER_BUILDKIT=0
export KX_REQUIRE_SERVICES=1
"$@"
status=$?
exit $status
