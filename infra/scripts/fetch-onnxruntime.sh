#!/usr/bin/env bash
# Fetches ONNX Runtime's Linux x64 shared library from the npm package
# onnxruntime-node (which ships it inside) and places it at the given path.
# usage: fetch-onnxruntime.sh VERSION DEST
set -euo pipefail
version=$1
dest=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "onnxruntime-node@${version}" >/dev/null)
tar -xzf "$tmp"/onnxruntime-node-*.tgz -C "$tmp" package/bin/napi-v6/linux/x64
mkdir -p "$(dirname "$dest")"
cp "$tmp"/package/bin/napi-v6/linux/x64/libonnxruntime.so.1 "$dest.tmp"
mv "$dest.tmp" "$dest"
echo "ONNX Runtime ${version}: $dest"
