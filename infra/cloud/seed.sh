#!/usr/bin/env bash
# `make seed-cloud DATA=folder`: uploads a <Class>/<image> tree to the deployed
# images bucket under dataset/, where each new object's event has it
# classified (the folder name is stored as the true kind).
# STACK names the stack (default veglens).
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${1:?usage: seed.sh FOLDER (holding <Class>/<image> files)}
[ -d "$data" ] || { echo "$data is not a folder" >&2; exit 1; }
classes=$(find "$data" -mindepth 1 -maxdepth 1 -type d | wc -l)
images=$(find "$data" -mindepth 2 -maxdepth 2 -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' -o -iname '*.webp' -o -iname '*.gif' \) | wc -l)
if [ "$images" -eq 0 ]; then
  echo "$data holds no <Class>/<image> files (jpg, png, webp, gif)" >&2
  exit 1
fi
bucket=$(infra/cloud/stack-output.sh ImagesBucketName)
echo "uploading $images images in $classes folders to s3://$bucket/dataset/"
aws s3 sync "$data" "s3://$bucket/dataset/" --exclude '*' \
  --include '*/*.jpg' --include '*/*.jpeg' --include '*/*.JPG' --include '*/*.png' --include '*/*.webp' --include '*/*.gif'
echo "done: classify labels them as the events arrive (watch the dashboard $(infra/cloud/stack-output.sh DashboardName))"
