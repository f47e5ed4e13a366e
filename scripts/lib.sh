# Shell helpers shared by the scripts and .ci/run (sourced, not run):
# progress lines, a fatal error, Debian package installation, and the
# benchmarks' reading of /usr/bin/time -v.

# A progress line on stderr.
say() { printf '== %s\n' "$*" >&2; }

# Stop with an error on stderr.
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# Install Debian packages (with sudo unless root), quietly and without the
# recommended extras.
apt_install() {
  say "installing: $*"
  local sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$@"
}

# The wall-clock seconds, the CPU seconds (user + system) and the peak
# memory (MB) of a report of /usr/bin/time -v, on one line.
time_v() { # file
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, p, ":"); wall = (n == 3) ? p[1] * 3600 + p[2] * 60 + p[3] : p[1] * 60 + p[2] }
    /User time|System time/ { cpu += $2 }
    /Maximum resident set size/ { mem = $2 / 1024 }
    END { printf "%s %.2f %.0f\n", wall, cpu, mem }' "$1"
}
