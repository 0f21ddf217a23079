# hooks/fastpath.sh: launch records, so that a script whose sources did not change starts its JVM without JBang's
# own (about 0.5 s). Sourced by ./jbang (bash) and hooks/launch (POSIX sh: minimal PATH, no HOME, cwd /); run as
# `sh hooks/fastpath.sh stamp BASE SCRIPT` by hooks/pull to stamp the records it writes. POSIX sh, awk, sha256sum.
#
# A record is a sh file of variables: java, options (split on blanks), classpath, main and jar are the command JBang
# runs; the stamp adds cds (1 when the script has //CDS: JBang keeps the archive beside the jar, ${jar%.jar}.jsa),
# files (the script's closure, one per line, relative to BASE) and hash (SHA-256 over those files' names and
# contents); ./jbang's records add ctx (the environment that steers JBang's choice of JDK and cache). It is current
# when hash (and ctx) still match and java, the jar and every classpath entry are there; anything else is a miss,
# and the caller runs JBang as before. //DEPS, //JAVA_OPTIONS and the rest live in those files: the hash covers them.

# Prints SCRIPT's closure, one file per line relative to BASE: SCRIPT, every file its //SOURCES and //FILES
# lines name (//FILES target=source names source), recursively through //SOURCES, each path relative to the
# file naming it, then EXTRA files as given. Fails on what it cannot follow safely: a URL, a glob, a quoted or
# ${property} path, an absolute one or one leaving BASE, an unreadable file (the caller then never goes fast).
fp_closure() { # BASE SCRIPT [EXTRA...]
  awk -v base="$1" '
    function norm(p,   n, i, k, seg, out, s) {
      if (p ~ /^\//) return ""
      n = split(p, seg, "/"); k = 0
      for (i = 1; i <= n; i++) {
        if (seg[i] == "" || seg[i] == ".") continue
        if (seg[i] == "..") { if (k == 0) return ""; k--; continue }
        out[++k] = seg[i]
      }
      s = out[1]
      for (i = 2; i <= k; i++) s = s "/" out[i]
      return s
    }
    function add(p, parse) {
      p = norm(p)
      if (p == "") exit 1
      if (!(p in seen)) { seen[p] = 1; queue[++n] = p; parsed[p] = parse }
    }
    BEGIN {
      n = 0
      add(ARGV[2], 1)
      for (i = 3; i < ARGC; i++) add(ARGV[i], 0)
      for (h = 1; h <= n; h++) {
        f = queue[h]
        print f
        if (!parsed[f]) continue                      # //FILES resources and EXTRA are hashed, not read
        dir = f; sub(/[^\/]*$/, "", dir)
        while ((r = (getline line < (base "/" f))) > 0) {
          sub(/\r$/, "", line)
          if (line !~ /^\/\/([A-Z]+:)?(SOURCES|FILES)([ \t]|$)/) continue
          kind = line ~ /^\/\/([A-Z]+:)?SOURCES/ ? "S" : "F"
          sub(/^\/\/([A-Z]+:)?[A-Z]+/, "", line)
          sub(/[ \t]\/\/[ \t].*$/, "", line)          # JBang drops a trailing " // comment"
          m = split(line, tok, /[ \t;,]+/)            # and splits on blanks, semicolons and commas
          for (j = 1; j <= m; j++) {
            t = tok[j]
            if (t == "") continue
            if (kind == "F") sub(/^[^=]*=/, "", t)
            if (t ~ /["\047*?[{$]/ || t ~ /:\/\//) exit 1
            add(dir t, kind == "S")
          }
        }
        if (r < 0) exit 1
        close(base "/" f)
      }
      exit 0
    }' "$@"
}

# Sets fp_sum to one SHA-256 over the names and contents of FILES (one per line, relative to BASE); fails when
# one is not a readable file. Few processes: this runs on every fast launch.
fp_hash() { # BASE FILES
  # shellcheck disable=SC2086 # FILES: one per line, split on newlines only, never globbed
  fp_sum=$(
    CDPATH='' cd -- "$1" || exit 1
    IFS='
'
    set -f
    for f in $2; do if [ ! -f "$f" ] || [ ! -r "$f" ]; then exit 1; fi; done
    sha256sum -- $2 | sha256sum
  ) || return 1
  fp_sum=${fp_sum%% *}
}

# What, besides the sources, changes the command JBang would print: its JDK, cache and repository settings.
# Only ./jbang's records carry it: hooks run in the agent's fixed environment, and hooks/pull's JVM may see a
# JAVA_HOME that JBang's own launcher exported, which the later hooks' launcher never sees.
fp_ctx() { # sets fp_ctx
  fp_ctx="${JAVA_HOME-}|${JBANG_DIR-}|${JBANG_CACHE_DIR-}|${JBANG_REPO-}|${JBANG_DEFAULT_JAVA_VERSION-}"
}

# Prints the value as one single-quoted sh word.
fp_q() {
  case $1 in
    *\'*) printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")" ;;
    *) printf "'%s'" "$1" ;;
  esac
}

# Sets fp_stamp (the record's cds, files and hash lines) and fp_cds for SCRIPT's closure now.
fp_stamp() { # BASE SCRIPT [EXTRA...]
  fp_stamp='' fp_cds=''
  # JBANG_APP_<DIRECTIVE> variables add directives from outside the files: no record then.
  case $(export -p) in *JBANG_APP_*) return 1 ;; esac
  fp_files=$(fp_closure "$@") || return 1
  fp_hash "$1" "$fp_files" || return 1
  if grep -qE '^//CDS([[:space:]]|$)' "$1/$2"; then fp_cds=1; fi
  fp_stamp="cds=$fp_cds
files=$(fp_q "$fp_files")
hash=$fp_sum"
}

# Writes RECORD (atomically) from a stamp taken before JBang read the sources, and the command it runs.
fp_write() { # RECORD STAMP WHO java options classpath main jar
  fp_ctx
  [ -d "${1%/*}" ] || mkdir -p -- "${1%/*}" 2>/dev/null || return 1
  if {
    printf '# Written by %s: the command JBang runs, valid while the stamp below holds (hooks/fastpath.sh).\n' "$3"
    printf 'java='; fp_q "$4"; printf '\noptions='; fp_q "$5"; printf '\nclasspath='; fp_q "$6"
    printf '\nmain='; fp_q "$7"; printf '\njar='; fp_q "$8"; printf '\n%s\nctx=' "$2"; fp_q "$fp_ctx"; echo
  } >"$1.$$" 2>/dev/null && mv -f -- "$1.$$" "$1" 2>/dev/null; then return 0; fi
  rm -f -- "$1.$$"
  return 1
}

fp_say() { # CDEPLOY_LAUNCH_DEBUG=1 says which path a launch took, on stderr
  if [ -n "${CDEPLOY_LAUNCH_DEBUG:-}" ]; then printf 'launch: %s\n' "$*" >&2; fi
}

# Succeeds when RECORD is current for BASE (see the top). Run it in a subshell: it loads the record's variables.
fp_check() { # RECORD BASE
  java='' options='' classpath='' main='' jar='' cds='' files='' hash='' ctx=''
  [ -r "$1" ] || { fp_say "slow: no record $1"; return 1; }
  # shellcheck source=/dev/null # a record
  . "$1" || return 1
  [ -n "$hash" ] || { fp_say "slow: $1 has no stamp"; return 1; }
  fp_ctx
  [ -z "$ctx" ] || [ "$ctx" = "$fp_ctx" ] || { fp_say "slow: $1 was written in another environment"; return 1; }
  if [ ! -x "$java" ] || [ ! -r "$jar" ]; then fp_say "slow: $java or $jar is gone"; return 1; fi
  set -f; IFS=: # a subshell: neither leaks
  for fp_e in $classpath; do [ -r "$fp_e" ] || { fp_say "slow: $fp_e is gone"; return 1; }; done
  if ! fp_hash "$2" "$files" || [ "$fp_sum" != "$hash" ]; then fp_say "slow: sources changed since $1"; return 1; fi
}

# Execs RECORD's command with ARGS when it is current; returns 1 (nothing changed) when it is not.
fp_launch() { # RECORD BASE ARGS...
  (fp_check "$1" "$2") || return 1
  # shellcheck source=/dev/null # the record just checked
  . "$1"
  fp_rec=$1
  shift 2
  set -f # options are split on blanks, never globbed
  if [ -z "$cds" ]; then
    fp_say "fast: $fp_rec"
    # shellcheck disable=SC2086 # options: JVM flags, split on blanks
    exec "$java" $options -classpath "$classpath" "$main" "$@"
  fi
  # As JBang 0.132.1 does for //CDS: use the archive beside the jar when it is there, else have this run dump it.
  fp_jsa=${jar%.jar}.jsa
  if [ -f "$fp_jsa" ]; then fp_cdsopt=-XX:SharedArchiveFile=$fp_jsa; else fp_cdsopt=-XX:ArchiveClassesAtExit=$fp_jsa; fi
  fp_say "fast: $fp_rec ($fp_cdsopt)"
  # shellcheck disable=SC2086 # options: JVM flags, split on blanks
  exec "$java" $options -classpath "$classpath" "$fp_cdsopt" "$main" "$@"
}

# `jbang build SCRIPT`, one build at a time per JBang cache: two builds of the same sources into one cache race
# (JBang then reports "no main class deduced"), as when two deployments or test runs share a machine. flock(1) on a
# file in the cache folder; without flock, or with no cache folder known (no HOME, no JBANG_DIR), it just builds.
fp_build() { # JBANG SCRIPT
  fp_dir=${JBANG_DIR:-${HOME:+$HOME/.jbang}}
  if [ -n "$fp_dir" ] && command -v flock >/dev/null 2>&1 && mkdir -p -- "$fp_dir" 2>/dev/null; then
    flock -- "$fp_dir/.cdeploy-build.lock" "$1" build "$2"
  else
    "$1" build "$2"
  fi
}

# `sh hooks/fastpath.sh stamp BASE SCRIPT`: print the stamp lines for a record written elsewhere (hooks/pull);
# `sh hooks/fastpath.sh build JBANG SCRIPT`: fp_build. Sourced, it only defines the functions above.
case ${0##*/}:${1-} in
  fastpath.sh:stamp)
    shift
    fp_stamp "$@" && printf '%s\n' "$fp_stamp"
    exit ;;
  fastpath.sh:build)
    shift
    fp_build "$@"
    exit ;;
esac
