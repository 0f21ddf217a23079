# bench/stubs.sh: sourced by the start-up benchmarks. stub_docker DIR writes DIR/docker and DIR/docker-compose that
# answer the hooks at once (a running, labelled bench-backend container; Compose v1), so a hook's wall time is its own.
stub_docker() {
  local d=$1
  printf '%s\n' '#!/bin/sh' 'case "$1 $2" in' '  "version --format") echo 20.10.24 ;;' '  "compose version") exit 1 ;;' \
    '  "image inspect") echo sha256:0 ;;' "  \"container inspect\") cat \"$d/inspect.json\" ;;" 'esac' 'exit 0' >"$d/docker"
  printf '%s\n' '#!/bin/sh' '[ "$1" = version ] && echo 1.29.2' 'exit 0' >"$d/docker-compose"
  chmod +x "$d/docker" "$d/docker-compose"
  echo '[{"Name":"/bench-backend","Config":{"Image":"127.0.0.1:5000/bench/x:v1","Labels":{"com.docker.compose.project":"bench"}},"State":{"Status":"running","ExitCode":0},"RestartCount":0}]' >"$d/inspect.json"
}
