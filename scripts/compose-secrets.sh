#!/usr/bin/env bash
# Generates the secret files docker-compose.yml mounts (once; existing files are kept).
set -euo pipefail
cd "$(dirname "$0")/.."
umask 077
mkdir -p secrets
gen() { [[ -s "secrets/$1" ]] || head -c "$2" /dev/urandom | base64 | tr -d '/+=\n' > "secrets/$1"; }
gen admin.password 18
gen enrollment.token 32
gen jwt.secret 48
# The TOTP key is 32 bytes, base64 (docs/IDENTITY.md).
[[ -s secrets/totp.key ]] || head -c 32 /dev/urandom | base64 > secrets/totp.key
# The relays of the cluster profile sign with the same keys (docs/SCALING.md): OpenSSH Ed25519 files.
key() { [[ -s "secrets/$1" ]] || { ssh-keygen -q -t ed25519 -N '' -C device-tunnel -f "secrets/$1" && rm -f "secrets/$1.pub"; }; }
key relay_ed25519
key user_ca_ed25519
echo "secrets in ./secrets (admin password: secrets/admin.password)"
