# Sourced by setup.sh and services.sh: install Debian packages when a command is missing.

as_root() {  # as_root CMD...: run as root, through sudo when we are not root
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "need root or sudo to run: $*" >&2
    return 1
  fi
}

apt_install() {  # apt_install PACKAGE...: Debian's packages through apt-get, quietly
  echo "installing Debian packages: $*" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

have() {  # have COMMAND: it is on PATH (a function, so a test can pretend it is not)
  command -v "$1" >/dev/null 2>&1
}
