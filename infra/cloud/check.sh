#!/usr/bin/env bash
# Validates the AWS deployment with the real tools, without AWS: cfn-lint and
# `sam validate --lint` on template.yaml, `sam build` (no Docker) with checks
# of what it produced, and actionlint on the GitHub workflows.
# Called by `make test-cloud`, which passes the tools' paths.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${SAM:?path to sam}" "${CFN_LINT:?path to cfn-lint}" "${ACTIONLINT:?path to actionlint}"
export SAM_CLI_TELEMETRY=0

# glibc of the Lambda provided.al2023 runtime (Amazon Linux 2023).
LAMBDA_GLIBC=2.34
# libstdc++ of Amazon Linux 2023 (GCC 11), which ONNX Runtime links against.
LAMBDA_GLIBCXX=3.4.29
# Lambda's limit on a function's unzipped code plus its layers.
LAMBDA_UNZIPPED_MAX=$((250 * 1024 * 1024))

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   $*"; }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }

step() { echo; echo "== $*"; }

step "cfn-lint $("$CFN_LINT" --version 2>&1 | awk '{print $2}') template.yaml"
if "$CFN_LINT" template.yaml; then ok "cfn-lint: no errors, no warnings"; else bad "cfn-lint found problems (above)"; fi

step "sam validate --lint (dummy credentials: nothing is sent to AWS)"
if env -u AWS_PROFILE AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 \
  AWS_ACCESS_KEY_ID=AKIAEXAMPLEEXAMPLE00 AWS_SECRET_ACCESS_KEY=example AWS_EC2_METADATA_DISABLED=true \
  "$SAM" validate --lint --template-file template.yaml; then
  ok "sam validate --lint"
else
  bad "sam validate --lint"
fi

step "sam build --build-in-source (makefile build method, no Docker)"
rm -rf .aws-sam/build
log=$(mktemp)
if nice -n 10 "$SAM" build --build-in-source --template-file template.yaml >"$log" 2>&1; then
  tail -n 3 "$log"
  ok "sam build"
else
  cat "$log"
  bad "sam build"
fi
rm -f "$log"

# The highest GLIBC_x.y symbol version an ELF file needs ("" when none).
glibc_needed() { { objdump -T "$1" 2>/dev/null || true; } | { grep -o 'GLIBC_[0-9][0-9.]*' || true; } | sed 's/GLIBC_//' | sort -uV | tail -n 1; }
version_le() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n 1)" = "$1" ]; }

build=.aws-sam/build
layer=$build/ModelLayer
step "artifacts in $build"
for fn in UploadFunction ClassifyFunction QueryFunction SweepFunction MigrateFunction; do
  bin=$build/$fn/bootstrap
  if [ ! -x "$bin" ]; then bad "$bin missing or not executable"; continue; fi
  hdr=$(readelf -h "$bin" 2>/dev/null || true)
  if ! grep -q 'Advanced Micro Devices X86-64' <<<"$hdr" || ! grep -q 'EXEC\|DYN' <<<"$hdr"; then
    bad "$bin is not a Linux x86-64 executable"; continue
  fi
  need=$(glibc_needed "$bin")
  if [ -n "$need" ] && ! version_le "$need" "$LAMBDA_GLIBC"; then
    bad "$bin needs glibc $need, Lambda's provided.al2023 has $LAMBDA_GLIBC"; continue
  fi
  ok "$bin ($(du -h "$bin" | cut -f1), glibc ${need:-not linked})"
done
layer_files=(lib/libonnxruntime.so.1 model/veglens.onnx model/model.json)
[ -f models/metrics.json ] && layer_files+=(model/metrics.json)
[ -f models/similarity.json ] && layer_files+=(model/similarity.json)
[ -f models/references.f32 ] && layer_files+=(model/references.f32)
for f in "${layer_files[@]}"; do
  if [ -s "$layer/$f" ]; then ok "$layer/$f ($(du -h "$layer/$f" | cut -f1))"; else bad "$layer/$f missing"; fi
done
if [ -s "$layer/model/veglens.onnx" ] && ! cmp -s models/veglens.onnx "$layer/model/veglens.onnx"; then
  bad "layer model differs from models/veglens.onnx"
fi
if [ -s "$layer/lib/libonnxruntime.so.1" ]; then
  need=$(glibc_needed "$layer/lib/libonnxruntime.so.1")
  if version_le "$need" "$LAMBDA_GLIBC"; then ok "ONNX Runtime needs glibc $need <= $LAMBDA_GLIBC"; else bad "ONNX Runtime needs glibc $need > $LAMBDA_GLIBC"; fi
  needcxx=$({ objdump -T "$layer/lib/libonnxruntime.so.1" || true; } | { grep -o 'GLIBCXX_[0-9][0-9.]*' || true; } | sed 's/GLIBCXX_//' | sort -uV | tail -n 1)
  if [ -z "$needcxx" ] || version_le "$needcxx" "$LAMBDA_GLIBCXX"; then
    ok "ONNX Runtime needs libstdc++ ${needcxx:-none} <= $LAMBDA_GLIBCXX"
  else
    bad "ONNX Runtime needs libstdc++ GLIBCXX_$needcxx > Amazon Linux 2023's $LAMBDA_GLIBCXX"
  fi
fi
if [ -d "$build/ClassifyFunction" ] && [ -d "$layer" ]; then
  size=$(du -sb "$build/ClassifyFunction" "$layer" | awk '{s += $1} END {print s}')
  if [ "$size" -le "$LAMBDA_UNZIPPED_MAX" ]; then
    ok "classify + layer unzipped: $((size / 1024 / 1024)) MiB <= 250 MiB"
  else
    bad "classify + layer unzipped: $((size / 1024 / 1024)) MiB > 250 MiB (Lambda limit)"
  fi
fi

step "actionlint $("$ACTIONLINT" -version | head -n 1)"
if "$ACTIONLINT" .github/workflows/*.yml; then ok "actionlint: workflows clean"; else bad "actionlint found problems (above)"; fi

echo
echo "cloud: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
