# Sourced by .ci/run and scripts/demo: installs the pnpm version pinned in package.json ("packageManager").
# corepack cannot download here (the registry serves metadata without signatures) and its /usr/bin/pnpm shim
# makes `npm i -g pnpm` fail with EEXIST, so plain npm installs it.
PNPM_VERSION="$(node -p 'require("./package.json").packageManager.split("@")[1]')"

ensure_pnpm() {
  local have; have="$(pnpm --version 2>/dev/null || true)"
  if [ "$have" != "$PNPM_VERSION" ]; then
    echo "installing pnpm@$PNPM_VERSION (found: ${have:-none})" >&2
    corepack disable pnpm >/dev/null 2>&1 || true
    npm install -g --force --no-fund --no-audit "pnpm@$PNPM_VERSION" >/dev/null
    hash -r
  fi
}
