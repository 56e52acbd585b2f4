#!/usr/bin/env bash
# Creates the skeleton of a workspace package: scripts/new-package.sh packages/flow "@filament/flow" "description"
set -euo pipefail
dir=$1 name=$2 desc=$3
mkdir -p "$dir"/{src,test,bench}
cat > "$dir/package.json" <<JSON
{
  "name": "$name",
  "version": "0.1.0",
  "description": "$desc",
  "license": "Apache-2.0",
  "type": "module",
  "sideEffects": false,
  "engines": { "node": ">=20.19" },
  "exports": {
    ".": {
      "@filament/source": "./src/index.ts",
      "types": "./dist/index.d.ts",
      "default": "./dist/index.js"
    },
    "./package.json": "./package.json"
  },
  "files": ["dist", "src", "README.md"],
  "scripts": {
    "build": "tsc -p tsconfig.build.json",
    "typecheck": "tsc -p tsconfig.json --noEmit",
    "test": "vitest run",
    "bench": "tsx --conditions=@filament/source bench/index.ts"
  },
  "dependencies": {},
  "devDependencies": {
    "@filament/testkit": "workspace:*",
    "@types/node": "catalog:",
    "fast-check": "catalog:",
    "tsx": "catalog:",
    "typescript": "catalog:",
    "vitest": "catalog:"
  }
}
JSON
cat > "$dir/tsconfig.json" <<'JSON'
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "noEmit": true, "types": ["node"] },
  "include": ["src", "test", "bench"]
}
JSON
cat > "$dir/tsconfig.build.json" <<'JSON'
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": "src", "outDir": "dist", "types": ["node"] },
  "include": ["src"]
}
JSON
echo "export { default } from '../../vitest.shared.ts';" > "$dir/vitest.config.ts"
