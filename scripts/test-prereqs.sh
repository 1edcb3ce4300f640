#!/usr/bin/env bash
# What `make test` needs beyond Java, Maven and Node: Chromium + chromedriver (the real-browser
# suite), OpenSSH's client (native SSH tests), docker-compose (checks docker-compose.yml offline),
# HAProxy (the cluster's balancer config is tested in front of a relay) and curl. Installed with apt when we are root; otherwise the exact command to run is printed.
set -euo pipefail

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v ssh >/dev/null && command -v scp >/dev/null && command -v sftp >/dev/null || missing+=(openssh-client)
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v curl >/dev/null || missing+=(curl)
command -v haproxy >/dev/null || [[ -x /usr/sbin/haproxy ]] || missing+=(haproxy)
((${#missing[@]})) || exit 0

if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "installing what the tests need: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "make test needs: ${missing[*]}. Install them, then run make test again:" >&2
  echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
