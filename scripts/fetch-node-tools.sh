#!/usr/bin/env bash
# Puts the Node.js packages of our independent TensorBoard event-file reader (protobufjs, a protobuf
# decoder that knows nothing of our encoder, and @aws-crypto/crc32c, a CRC-32C of its own) under
# third_party/tfevents-reader, for the test that reads our events files back with them. Does nothing
# when they are there. Without network access it warns and leaves them out: that test then reports
# itself skipped.
set -uo pipefail
protobufjs_version=7.6.6
crc32c_version=5.2.0
root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/third_party/tfevents-reader"
has_version() { # package, version
  [[ -f "$dest/node_modules/$1/package.json" ]] && grep -q "\"version\": \"$2\"" "$dest/node_modules/$1/package.json"
}
if has_version protobufjs "$protobufjs_version" && has_version @aws-crypto/crc32c "$crc32c_version"; then
  echo "fetch-node-tools: protobufjs $protobufjs_version and @aws-crypto/crc32c $crc32c_version present"
  exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "fetch-node-tools: npm is missing (run scripts/setup.sh); the TensorBoard reader test will be skipped" >&2; exit 0; }
mkdir -p "$dest"
echo "fetch-node-tools: installing protobufjs@$protobufjs_version and @aws-crypto/crc32c@$crc32c_version (npm, --ignore-scripts: plain JavaScript)"
if ! (cd "$dest" && npm install --silent --ignore-scripts --no-audit --no-fund --no-save \
        "protobufjs@$protobufjs_version" "@aws-crypto/crc32c@$crc32c_version" >/dev/null); then
  echo "fetch-node-tools: npm install failed; the TensorBoard reader test will be skipped" >&2
fi
exit 0
