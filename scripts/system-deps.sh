#!/usr/bin/env bash
# Installs the Debian packages a purpose needs, only when missing.
#   scripts/system-deps.sh run   -> what the portal itself needs (WeasyPrint's libraries, fonts,
#                                   gettext's msgfmt to compile the translations)
#   scripts/system-deps.sh test  -> also the real services and browser the test suite uses
set -euo pipefail
purpose=${1:-run}

packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-noto-color-emoji fonts-liberation2 gettext)
if [ "$purpose" = "test" ]; then
  packages+=(redis-server postgresql chromium poppler-utils nginx openssl)
fi

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "These Debian packages are missing and this user cannot install them: ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
