#!/bin/sh
# Runs the pinned pnpm without assuming a global install: a fresh machine has only Node.js and npm.
# The version is read from package.json's "packageManager" so there is one place to bump it.
set -e
here=$(cd "$(dirname "$0")/.." && pwd)
version=$(node -p "require('$here/package.json').packageManager.split('@')[1]")
exec npx --yes "pnpm@$version" "$@"
