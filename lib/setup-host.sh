#!/usr/bin/env bash
# Installs and starts what this project needs on a Debian or Ubuntu host, as root. Idempotent: it installs only
# what is missing and starts only what is not answering. Used by .ci/run and by machine set-up.
#   lib/setup-host.sh docker      Docker engine + Compose (v1 docker-compose where no v2 plugin is packaged)
#   lib/setup-host.sh test-tools  what the tests need besides Docker: local registry, static busybox, AWS CLI, npm
#   lib/setup-host.sh registry    a local image registry on 127.0.0.1:${CDEPLOY_REGISTRY_PORT:-5000}
#   lib/setup-host.sh busybox     a static busybox (release --local builds the demo's base image with it)
#   lib/setup-host.sh nginx       the proxy's image, ${CDEPLOY_NGINX_IMAGE:-nginx:1.26.2}: kept when present, else pulled,
#                                 else (no registry reachable) a stand-in built offline from Debian's nginx-light
#   lib/setup-host.sh jbang       JDK, Maven and this repository's jbang wrapper as ${CDEPLOY_PREFIX:-/usr/local}/bin/jbang
#                                 (what the hooks' launcher looks for on an instance)
set -euo pipefail
log() { echo "setup-host: $*" >&2; }

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -n1)" ]; then
    apt-get update -q >&2
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
}

wait_for() { # seconds, command...
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.5
  done
}

compose_found() { docker compose version >/dev/null 2>&1 || docker-compose version >/dev/null 2>&1; }

docker_engine() {
  # a Docker that answers, with a Compose, is kept as it is (GitHub's runners have docker-ce: docker.io would conflict)
  if docker info >/dev/null 2>&1 && compose_found; then return 0; fi
  local pkgs=()
  # the engine only where there is none (a bare client, as on some CI images, is not an engine)
  command -v dockerd >/dev/null 2>&1 || pkgs+=(docker.io)
  if ! compose_found; then
    apt-cache show docker-compose-plugin >/dev/null 2>&1 && pkgs+=(docker-compose-plugin) || pkgs+=(docker-compose)
  fi
  [ ${#pkgs[@]} -eq 0 ] || apt_install "${pkgs[@]}"
  if docker info >/dev/null 2>&1; then return 0; fi
  if ! command -v dockerd >/dev/null 2>&1; then
    log "no daemon answers and there is no dockerd here even after installing docker.io: start Docker, then run this again"
    exit 1
  fi
  if [ -d /run/systemd/system ]; then
    log "starting docker with systemd"
    systemctl start docker
  else
    log "starting dockerd (log: /var/log/cdeploy-dockerd.log)"
    nohup dockerd >/var/log/cdeploy-dockerd.log 2>&1 </dev/null &
  fi
  wait_for 60 docker info || { log "dockerd did not come up; see /var/log/cdeploy-dockerd.log"; exit 1; }
}

java_ok() { java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])'; }

test_tools() { # a JDK, Maven, an AWS CLI or npm already there (GitHub's runners have them all) is kept
  local pkgs=(docker-registry busybox-static curl zip unzip)
  java_ok || pkgs+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null 2>&1 || pkgs+=(maven)
  command -v aws >/dev/null 2>&1 || pkgs+=(awscli)
  command -v npm >/dev/null 2>&1 || pkgs+=(nodejs npm) # the CloudFormation linter's (tests/cfn-lint)
  apt_install "${pkgs[@]}"
}

registry() {
  local port=${CDEPLOY_REGISTRY_PORT:-5000} conf=/etc/cdeploy/registry.yml
  apt_install curl
  if curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1; then return 0; fi
  apt_install docker-registry
  mkdir -p /etc/cdeploy /var/lib/cdeploy-registry
  cat >"$conf" <<YAML
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: /var/lib/cdeploy-registry}
  delete: {enabled: true}
http:
  addr: 127.0.0.1:$port
YAML
  log "starting a registry on 127.0.0.1:$port (log: /var/log/cdeploy-registry.log)"
  nohup docker-registry serve "$conf" >/var/log/cdeploy-registry.log 2>&1 </dev/null &
  wait_for 30 curl -fsS "http://127.0.0.1:$port/v2/" || { log "registry did not come up; see /var/log/cdeploy-registry.log"; exit 1; }
}

nginx_image() { # the official image when it can be pulled; offline, Debian's nginx under the same name
  local image=${CDEPLOY_NGINX_IMAGE:-nginx:1.26.2} root
  docker image inspect "$image" >/dev/null 2>&1 && return 0
  if timeout 90 docker pull -q "$image" >/dev/null 2>&1; then log "pulled $image"; return 0; fi
  apt_install debootstrap
  root=$(mktemp -d)
  log "building a stand-in for $image offline: debootstrap bookworm with nginx-light (about a minute)"
  debootstrap --variant=minbase --include=nginx-light bookworm "$root" >/var/log/cdeploy-nginx-debootstrap.log 2>&1 \
    || { log "debootstrap failed; see /var/log/cdeploy-nginx-debootstrap.log"; rm -rf "$root"; exit 1; }
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  ln -sf /dev/stdout "$root/var/log/nginx/access.log"; ln -sf /dev/stderr "$root/var/log/nginx/error.log"
  tar -C "$root" -c . | docker import --change 'CMD ["nginx", "-g", "daemon off;"]' - "$image" >/dev/null
  rm -rf "$root"
  log "built $image (Debian's nginx-light $(docker run --rm "$image" nginx -v 2>&1 | sed 's/.*\///'))"
}

jbang_cli() {
  local prefix=${CDEPLOY_PREFIX:-/usr/local} here
  here=$(cd "$(dirname "$0")/.." && pwd)
  local pkgs=() # a JDK 17+ and Maven already there are kept (GitHub's runners have their own)
  java_ok || pkgs+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null 2>&1 || pkgs+=(maven)
  [ ${#pkgs[@]} -eq 0 ] || apt_install "${pkgs[@]}"
  mkdir -p "$prefix/lib/cdeploy-jbang/.jbang-wrapper" "$prefix/bin"
  install -m 0755 "$here/jbang" "$prefix/lib/cdeploy-jbang/jbang"
  install -m 0644 "$here/.jbang-wrapper/pom.xml" "$prefix/lib/cdeploy-jbang/.jbang-wrapper/pom.xml"
  ln -sfn "$prefix/lib/cdeploy-jbang/jbang" "$prefix/bin/jbang"
  CDEPLOY_WRAPPER_ONLY=1 "$prefix/bin/jbang" version >/dev/null # resolves JBang now, not in the first hook
  log "jbang $("$prefix/bin/jbang" version) installed as $prefix/bin/jbang"
}

[ $# -gt 0 ] || { sed -n '2,/^set /{/^#/s/^# \{0,1\}//p}' "$0" >&2; exit 2; }
for step in "$@"; do
  case "$step" in
    docker) docker_engine ;;
    test-tools) test_tools ;;
    registry) registry ;;
    jbang) jbang_cli ;;
    busybox) apt_install busybox-static ;;
    nginx) nginx_image ;;
    *) log "unknown step '$step' (docker, test-tools, registry, busybox, nginx, jbang)"; exit 2 ;;
  esac
done
