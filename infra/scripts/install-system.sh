#!/usr/bin/env bash
# Installs the system packages veglens needs (Debian): PostgreSQL for the
# catalog, Chromium for browser tests. Does nothing for what is already there.
set -euo pipefail
pkgs=()
command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || pkgs+=(postgresql)
command -v chromium >/dev/null 2>&1 || pkgs+=(chromium)
if [ ${#pkgs[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${pkgs[@]}"
fi
