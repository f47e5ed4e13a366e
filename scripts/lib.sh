# Shell helpers shared by the scripts and .ci/run (sourced, not run):
# progress lines, a fatal error, and Debian package installation.

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
