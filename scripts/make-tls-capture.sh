#!/usr/bin/env bash
# Records tests/TestData/capture/tls-sni.pcapng: TLS ClientHellos made by Python's ssl module
# (OpenSSL) sent over loopback to a listener that reads and closes — with a server name, without,
# split across two TCP segments, and split across two TLS records — on port 443 and another port.
# Kept for provenance; the committed capture is what the tests use.
set -euo pipefail
out=${1:-tests/TestData/capture/tls-sni.pcapng}
dumpcap -q -i lo -f "tcp port 18443 or tcp port 443" -w "$out" & capture=$!
sleep 2
python3 - <<'PY'
import socket, ssl, struct, threading, time

def listener(port):
    server = socket.socket(); server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port)); server.listen(16)
    def serve():
        while True:
            conn, _ = server.accept()
            try:
                conn.settimeout(2); conn.recv(65536); time.sleep(0.2)
            except OSError:
                pass
            conn.close()
    threading.Thread(target=serve, daemon=True).start()

def hello(name):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_hostname=name)
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()

def send(port, chunks):
    s = socket.create_connection(("127.0.0.1", port))
    for chunk in chunks:
        s.sendall(chunk); time.sleep(0.1)
    time.sleep(0.3); s.close()

for port in (443, 18443):
    listener(port)
time.sleep(0.3)
send(443, [hello("www.example.com")])
send(18443, [hello("c2.evil.trycloudflare.com")])
send(443, [hello(None)])
record = hello("split-segments.ngrok.io")
send(443, [record[:60], record[60:]])
record = hello("split-records.duckdns.org")
body = record[5:]
half = len(body) // 2
send(18443, [record[:3] + struct.pack(">H", half) + body[:half] + record[:3] + struct.pack(">H", len(body) - half) + body[half:]])
send(443, [b"GET / HTTP/1.1\r\nHost: not-tls.example\r\n\r\n"])
PY
sleep 1
kill $capture; wait $capture 2>/dev/null || true
echo "wrote $out"
