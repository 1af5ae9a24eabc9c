#!/usr/bin/env bash
# Installs the reference tools the tests use as oracles: Suricata 7 (bookworm-backports) and tshark,
# and libpcap, which aznf run/send --interface capture through.
# A private sources list keeps /etc/apt untouched.
set -euo pipefail
if command -v suricata >/dev/null 2>&1 && suricata -V 2>/dev/null | grep -q 'version 7' && command -v tshark >/dev/null 2>&1 \
  && ldconfig -p | grep -q 'libpcap\.so'; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
state=$(mktemp -d)
cat > "$state/backports.sources" <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
apt_opts=(-o "Dir::Etc::SourceList=$state/backports.sources" -o "Dir::Etc::SourceParts=-" -o "Dir::State::Lists=$state/lists" -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
mkdir -p "$state/lists/partial"
apt-get "${apt_opts[@]}" update -qq
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends -t bookworm-backports suricata >/dev/null
apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends tshark libpcap0.8 >/dev/null
suricata -V
tshark --version | head -1
