#!/usr/bin/env bash
# Property-based API test: starts the local stack (bin/veglens run) on a free
# port with a throw-away state folder, waits until the API answers, runs
# schemathesis against it with shared/api/openapi.yaml (no 5xx, every
# response as described), and stops the stack.
set -euo pipefail
cd "$(dirname "$0")/../.."

veglens=${VEGLENS:-bin/veglens}
schemathesis=${SCHEMATHESIS:-.cache/venv-api/bin/schemathesis}
examples=${API_EXAMPLES:-100}
for f in "$veglens" "$schemathesis"; do
  [ -x "$f" ] || { echo "test-api: $f is missing: run \`make deps\` and \`make build\`" >&2; exit 1; }
done

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
tmp=$(mktemp -d)
chmod 755 "$tmp" # PostgreSQL runs as its own user and must reach its folder
base="http://127.0.0.1:$port"
"$veglens" run -addr "127.0.0.1:$port" -state "$tmp/state" >"$tmp/run.log" 2>&1 &
pid=$!
cleanup() {
  kill -INT "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

for _ in $(seq 1 240); do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "test-api: veglens run exited:" >&2; cat "$tmp/run.log" >&2; exit 1
  fi
  code=$(curl -s -o /dev/null -w '%{http_code}' "$base/api/kinds" || true)
  [ "$code" = 200 ] && break
  sleep 0.5
done
[ "$code" = 200 ] || { echo "test-api: the API did not become ready" >&2; cat "$tmp/run.log" >&2; exit 1; }
echo "test-api: veglens is up at $base; running schemathesis ($examples examples per operation)"

# One worker: with two, Python 3.11's ast module (used by hypothesis to
# describe strategies) can fail with "AST constructor recursion depth
# mismatch" when two threads parse at once — a runtime error, not a finding.
# GET /api/openapi.yaml is left out: schemathesis parses the YAML it returns
# and compares the document with the declared `type: string`; a Go test
# (TestGateway_SiteFallbackAndPlaceholder) checks it serves the file itself.
# Run from the temporary folder: schemathesis keeps a cache of failures in
# the working directory.
spec="$PWD/shared/api/openapi.yaml"
case "$schemathesis" in /*) ;; *) schemathesis="$PWD/$schemathesis" ;; esac
status=0
(cd "$tmp" && "$schemathesis" run "$spec" --url "$base" \
  --checks not_a_server_error,response_schema_conformance,content_type_conformance \
  --phases examples,coverage,fuzzing,stateful --exclude-operation-id getOpenAPI \
  --max-examples "$examples" --workers 1 --seed 1 \
  --generation-database none --no-color) || status=$?
if [ "$status" -ne 0 ]; then
  echo "test-api: schemathesis found problems; warnings and errors the runner logged:" >&2
  grep -E '"level":"(WARN|ERROR)"' "$tmp/state/veglens.log" | tail -n 20 >&2 || true
fi
exit "$status"
