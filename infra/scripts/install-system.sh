#!/usr/bin/env bash
# Installs the system packages veglens needs (Debian): libjpeg-turbo's
# static library and headers for JPEG decoding (linked into every binary
# that decodes photos), PostgreSQL for the catalog, Chromium for browser
# tests, python3-venv for the Python virtual environments in .cache/ (model,
# API tests, cloud checks), curl for the API tests, and pgvector
# (install-pgvector.sh). With --build, only what
# compiling the Go code needs. Does nothing for what is already there.
set -euo pipefail
pkgs=()
{ [ -f /usr/include/jpeglib.h ] && ls /usr/lib/*/libjpeg.a >/dev/null 2>&1; } || pkgs+=(libjpeg62-turbo-dev)
if [ "${1:-}" != "--build" ]; then
  command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || pkgs+=(postgresql)
  command -v chromium >/dev/null 2>&1 || pkgs+=(chromium)
  # Virtual environments (make deps-python, deps-api, deps-cloud); test-api's readiness checks use curl.
  python3 -c 'import ensurepip' >/dev/null 2>&1 || pkgs+=(python3-venv)
  command -v curl >/dev/null 2>&1 || pkgs+=(curl)
fi
if [ ${#pkgs[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${pkgs[@]}"
fi
# pgvector, for the similar-photo index (PostgreSQL's own extension directory).
if [ "${1:-}" != "--build" ]; then
  "$(dirname "$0")/install-pgvector.sh"
fi
