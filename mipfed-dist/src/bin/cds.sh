# Class-data sharing for the mipfed launchers (sourced by bin/mipfed, and by ./mipfed in a checkout; POSIX sh).
#
# A JVM started with -XX:SharedArchiveFile maps the classes of a dynamic CDS archive instead of loading, parsing and
# verifying them from the jars: a manager's start takes about 40% less CPU. The archive is built OUTSIDE any service's
# start or stop, by `mipfed cds` (the Debian package's postinst runs it; the launcher runs it in the background, at
# the lowest priority, the first time a short command finds none): a JVM with -XX:ArchiveClassesAtExit runs
# `mipfed cds --train` (a manager and a node in one process, two analyses) and writes the classes it loaded as it exits.
#
# The archive's name carries a checksum of the class path (where the jars are) and one of the Java runtime and of
# every jar (names, sizes, times): after an upgrade of either the launcher looks for another name and never maps a
# stale archive; a new build replaces the older archives of the same place. Its size is kept
# beside it and checked before use (JDK 17 crashes on a truncated archive), the JVM checks the regions' checksums
# (-XX:+VerifySharedSpaces) and the jars' sizes and times, and -Xshare:auto starts without the archive when any check
# fails. Deleting the cache directory is always safe.
#
# MIPFED_CDS: auto (default: use the archive; build it in the background when a short command finds none), use (use
# it, never build it by itself), off (neither). MIPFED_CDS_DIR: the only directory to use (default: the system's
# /var/cache/mipfed/cds, then ${XDG_CACHE_HOME:-~/.cache}/mipfed/cds).

# mipfed_cds_init JAVA CLASSPATH FILE... : sets mipfed_cds_name (the archive's file name for this Java and these jars)
# and mipfed_cds_opts (the JVM options that use the archive, empty when there is none or MIPFED_CDS=off).
mipfed_cds_init() {
  mipfed_cds_java=$1
  mipfed_cds_cp=$2
  shift 2
  mipfed_cds_opts=
  mipfed_cds_name=
  mipfed_cds_archive=
  mipfed_cds_mode=${MIPFED_CDS:-auto}
  [ "$mipfed_cds_mode" = off ] && return 0
  mipfed_cds_javareal=$(readlink -f "$(command -v "$mipfed_cds_java")" 2>/dev/null) || return 0
  mipfed_cds_jhome=$(dirname "$(dirname "$mipfed_cds_javareal")")
  # where the jars are (a checkout, an unpacked archive, the package): its archives replace only each other
  mipfed_cds_place=$(printf '%s\n' "$mipfed_cds_cp" | cksum | cut -d' ' -f1)
  mipfed_cds_key=$({
    printf '%s\n' "$mipfed_cds_javareal"
    # (a file missing here only changes the key; `|| true` for a caller with pipefail)
    stat -L -c '%n %s %Y' "$mipfed_cds_jhome/lib/modules" "$mipfed_cds_jhome"/lib/server/libjvm.so "$@" 2>/dev/null || true
  } | cksum | cut -d' ' -f1)
  mipfed_cds_name="mipfed-$mipfed_cds_place-$mipfed_cds_key.jsa"
  for mipfed_cds_d in $(mipfed_cds_dirs); do
    mipfed_cds_a="$mipfed_cds_d/$mipfed_cds_name"
    # the size written beside it when it was built: a truncated archive would crash the JVM, not be refused
    if [ -r "$mipfed_cds_a" ] && [ -r "$mipfed_cds_a.size" ] \
      && [ "$(stat -L -c %s "$mipfed_cds_a" 2>/dev/null)" = "$(cat "$mipfed_cds_a.size" 2>/dev/null)" ]; then
      mipfed_cds_archive=$mipfed_cds_a
      # CDS's warnings (an archive refused) go to stderr, never into a command's output
      mipfed_cds_opts="-XX:SharedArchiveFile=$mipfed_cds_a -Xshare:auto -XX:+VerifySharedSpaces -Xlog:cds*=off -Xlog:cds*=warning:stderr"
      return 0
    fi
  done
}

# The directories an archive is looked for in, in order (one word each: no spaces in these paths).
mipfed_cds_dirs() {
  if [ -n "${MIPFED_CDS_DIR:-}" ]; then
    echo "$MIPFED_CDS_DIR"
    return 0
  fi
  echo /var/cache/mipfed/cds
  if [ -n "${XDG_CACHE_HOME:-}" ]; then
    echo "$XDG_CACHE_HOME/mipfed/cds"
  elif [ -n "${HOME:-}" ]; then
    echo "$HOME/.cache/mipfed/cds"
  fi
}

# The directory a new archive is written to: the first of mipfed_cds_dirs this user can write (creating a user's
# cache directory; the system's is created by the package, owned by root).
mipfed_cds_writable_dir() {
  for mipfed_cds_d in $(mipfed_cds_dirs); do
    if [ "$mipfed_cds_d" = /var/cache/mipfed/cds ] && [ -z "${MIPFED_CDS_DIR:-}" ]; then
      [ -d "$mipfed_cds_d" ] && [ -w "$mipfed_cds_d" ] && echo "$mipfed_cds_d" && return 0
      continue
    fi
    mkdir -p "$mipfed_cds_d" 2>/dev/null && [ -w "$mipfed_cds_d" ] && echo "$mipfed_cds_d" && return 0
  done
  return 1
}

# mipfed_cds_build [--quiet]: builds the archive for mipfed_cds_init's Java and jars into the writable directory,
# replacing older ones there; one build at a time per directory. Returns non-zero when it could not.
mipfed_cds_build() {
  mipfed_cds_quiet=
  [ "${1:-}" = --quiet ] && mipfed_cds_quiet=1
  if [ -z "$mipfed_cds_name" ]; then
    echo "mipfed cds: class-data sharing is off (MIPFED_CDS=off) or this Java's path cannot be resolved" >&2
    return 1
  fi
  if ! mipfed_cds_dir=$(mipfed_cds_writable_dir); then
    echo "mipfed cds: no writable cache directory (tried: $(mipfed_cds_dirs | tr '\n' ' ')); set MIPFED_CDS_DIR to one" >&2
    return 1
  fi
  mipfed_cds_lock="$mipfed_cds_dir/.lock"
  # a lock left by a build that died over an hour ago is removed
  find "$mipfed_cds_lock" -maxdepth 0 -mmin +60 -exec rm -rf {} + 2>/dev/null || true
  if ! mkdir "$mipfed_cds_lock" 2>/dev/null; then
    echo "mipfed cds: another build runs in $mipfed_cds_dir (remove $mipfed_cds_lock if none does)" >&2
    return 1
  fi
  mipfed_cds_tmp="$mipfed_cds_dir/.$mipfed_cds_name.$$"
  mipfed_cds_log="$mipfed_cds_dir/build.log"
  [ -n "$mipfed_cds_quiet" ] || echo "mipfed cds: building the class-data sharing archive (a manager and a node start in this process, on loopback; about a minute) ..." >&2
  mipfed_cds_started=$(date +%s)
  # -Xshare:auto: the archive is dumped on top of the JDK's own base archive
  if "$mipfed_cds_java" -XX:ArchiveClassesAtExit="$mipfed_cds_tmp" -Xshare:auto -Xmx512m \
    -cp "$mipfed_cds_cp" org.mipfed.cli.Main cds --train >"$mipfed_cds_log" 2>&1 \
    && [ -s "$mipfed_cds_tmp" ]; then
    chmod 0644 "$mipfed_cds_tmp"
    for mipfed_cds_old in "$mipfed_cds_dir/mipfed-$mipfed_cds_place"-*.jsa; do
      [ -e "$mipfed_cds_old" ] && [ "$mipfed_cds_old" != "$mipfed_cds_dir/$mipfed_cds_name" ] \
        && rm -f "$mipfed_cds_old" "$mipfed_cds_old.size"
    done
    rm -f "$mipfed_cds_dir/$mipfed_cds_name.size"
    mv -f "$mipfed_cds_tmp" "$mipfed_cds_dir/$mipfed_cds_name"
    stat -c %s "$mipfed_cds_dir/$mipfed_cds_name" >"$mipfed_cds_tmp.size"
    chmod 0644 "$mipfed_cds_tmp.size"
    mv -f "$mipfed_cds_tmp.size" "$mipfed_cds_dir/$mipfed_cds_name.size"
    rmdir "$mipfed_cds_lock"
    [ -n "$mipfed_cds_quiet" ] || echo "mipfed cds: wrote $mipfed_cds_dir/$mipfed_cds_name ($(($(stat -c %s "$mipfed_cds_dir/$mipfed_cds_name") / 1048576)) MB) in $(($(date +%s) - mipfed_cds_started)) s; the next starts map it (safe to delete: mipfed cds --remove)" >&2
    return 0
  fi
  rm -f "$mipfed_cds_tmp"
  rmdir "$mipfed_cds_lock"
  echo "mipfed cds: the archive was not built (see $mipfed_cds_log); mipfed runs without it, only its starts are slower" >&2
  return 1
}

# mipfed_cds_command ARGS...: `mipfed cds` as the launcher handles it.
mipfed_cds_command() {
  case "${1:-}" in
    "" | --quiet)
      mipfed_cds_build "$@"
      ;;
    --status)
      if [ -n "$mipfed_cds_archive" ]; then
        echo "in use: $mipfed_cds_archive ($(($(stat -c %s "$mipfed_cds_archive") / 1048576)) MB)"
      elif [ -z "$mipfed_cds_name" ]; then
        echo "off (MIPFED_CDS=off)"
      else
        echo "none for this Java and these jars ($mipfed_cds_name, looked for in: $(mipfed_cds_dirs | tr '\n' ' ')); build it with: mipfed cds"
      fi
      ;;
    -h | --help)
      echo "Usage: mipfed cds [--quiet | --status | --remove]"
      echo "Build the class-data sharing archive of mipfed's classes for this Java and these jars (about a minute;"
      echo "managers, nodes and commands then start with less CPU), say which one the next start maps (--status),"
      echo "or delete them (--remove; always safe). MIPFED_CDS=off|use|auto, MIPFED_CDS_DIR: docs/operations.md, \"Class-data sharing\"."
      ;;
    --remove)
      for mipfed_cds_d in $(mipfed_cds_dirs); do
        if [ -d "$mipfed_cds_d" ] && [ -w "$mipfed_cds_d" ]; then
          rm -f "$mipfed_cds_d"/mipfed-*.jsa "$mipfed_cds_d"/mipfed-*.jsa.size "$mipfed_cds_d"/build.log
          echo "removed the archives in $mipfed_cds_d"
        fi
      done
      ;;
    *)
      echo "mipfed cds: unknown argument '$1'; use: mipfed cds (build the archive), mipfed cds --status, mipfed cds --remove (docs/operations.md, \"Class-data sharing\")" >&2
      return 2
      ;;
  esac
}

# mipfed_cds_maybe_build_later SELF ARGS...: when no archive was found, MIPFED_CDS is auto, this is no service
# (systemd sets INVOCATION_ID) and no long-running start (a manager or a node: the build would take CPU from it),
# starts `SELF cds --quiet` detached, at the lowest priority; the command itself runs at once, without an archive.
mipfed_cds_maybe_build_later() {
  mipfed_cds_self=$1
  shift
  [ -z "$mipfed_cds_archive" ] && [ -n "$mipfed_cds_name" ] && [ "$mipfed_cds_mode" = auto ] \
    && [ -z "${INVOCATION_ID:-}" ] || return 0
  case "${1:-} ${2:-}" in
    "manager start" | "manager join" | "node run" | "cds "*) return 0 ;;
  esac
  mipfed_cds_writable_dir >/dev/null || return 0
  [ -d "$(mipfed_cds_writable_dir)/.lock" ] && return 0
  if command -v setsid >/dev/null 2>&1; then
    MIPFED_CDS=auto nohup setsid nice -n 19 "$mipfed_cds_self" cds --quiet </dev/null >/dev/null 2>&1 &
  else
    MIPFED_CDS=auto nohup nice -n 19 "$mipfed_cds_self" cds --quiet </dev/null >/dev/null 2>&1 &
  fi
}
