#!/usr/bin/env bash
# Installs pgvector (the vector type and its HNSW index, for "more like this")
# into the PostgreSQL server that veglens runs locally. Debian packages it as
# postgresql-<major>-pgvector where its release has it; where it does not
# (Debian 12), this builds the same release from source with the server's
# own headers (postgresql-server-dev-<major>, Debian) and installs it. The
# source comes through the Go module proxy, whose checksum database pins
# every byte of pgvector's tagged release (go mod download checks it), so no
# download site is needed. Does nothing when the extension is already there.
set -euo pipefail
version=v0.8.0 # pgvector release: HNSW since 0.5, iterative index scans since 0.8

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$pg_bin" ] || { echo "install-pgvector: PostgreSQL is not installed (run infra/scripts/install-system.sh)" >&2; exit 1; }
major=$(basename "$(dirname "$pg_bin")")
[ -f "/usr/share/postgresql/$major/extension/vector.control" ] && exit 0

sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
apt_install() { DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"; }
$sudo apt-get update -qq
if apt-cache show "postgresql-$major-pgvector" >/dev/null 2>&1; then
  apt_install "postgresql-$major-pgvector"
  exit 0
fi

echo "install-pgvector: Debian has no postgresql-$major-pgvector here; building pgvector $version from source" >&2
apt_install "postgresql-server-dev-$major" make gcc
command -v go >/dev/null || { echo "install-pgvector: go is needed to fetch the source" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
src=$(cd "$work" && go mod init pgvector-fetch >/dev/null 2>&1 && go mod download -json "github.com/pgvector/pgvector@$version" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
[ -f "$src/vector.control" ] || { echo "install-pgvector: could not fetch pgvector $version" >&2; exit 1; }
cp -r "$src" "$work/pgvector"
chmod -R u+w "$work/pgvector"
# OPTFLAGS="": no -march=native, so the library runs on any x86-64; with_llvm=no: no JIT bitcode.
make -s -C "$work/pgvector" -j"$(nproc)" PG_CONFIG="$pg_bin/pg_config" OPTFLAGS="" with_llvm=no
$sudo make -s -C "$work/pgvector" install PG_CONFIG="$pg_bin/pg_config" OPTFLAGS="" with_llvm=no
[ -f "/usr/share/postgresql/$major/extension/vector.control" ] || { echo "install-pgvector: the build installed nothing" >&2; exit 1; }
echo "install-pgvector: pgvector $version installed for PostgreSQL $major" >&2
