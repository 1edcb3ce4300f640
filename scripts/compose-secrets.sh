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
echo "secrets in ./secrets (admin password: secrets/admin.password)"
