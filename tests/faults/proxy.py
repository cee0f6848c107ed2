"""nginx in front of votesys hosts, configured by the file the docs ship
(docs/nginx/votesys.conf) with only its "# site:" lines changed: the hosts, the addresses it
listens on and a self-signed certificate. And an HTTPS client that comes from an address of
its choosing in 127.0.0.0/8, as different visitors would."""

from __future__ import annotations

import datetime
import http.client
import os
import re
import shutil
import signal
import ssl
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from tests.faults.live import Answer, Broken, free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "docs" / "nginx" / "votesys.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def site_config(shipped: str, hosts: list[str], http_port: int, https_port: int, cert: Path) -> str:
    """The shipped file for this machine: every line marked "# site:" replaced, nothing else.
    Fails if the file no longer has the lines the docs tell an operator to change."""
    replaced = {
        "host": 0,
        "listen 80": 0,
        "listen 443": 0,
        "ssl_certificate ": 0,
        "ssl_certificate_key": 0,
        "access_log": 0,
    }
    out, hosts_left = [], list(hosts)
    for line in shipped.splitlines():
        if "# site:" not in line or line.lstrip().startswith("#"):
            out.append(line)
            continue
        code = line.split("# site:")[0].strip()
        if code.startswith("server ") and re.match(r"server \S+:\d+", code):
            if hosts_left:  # as many upstream lines as the test has hosts
                out.append("    " + re.sub(r"server \S+", f"server {hosts_left.pop(0)}", code))
            replaced["host"] += 1
        elif code.startswith("listen 80"):
            out.append(f"    listen 127.0.0.1:{http_port};")
            replaced["listen 80"] += 1
        elif code.startswith("listen 443"):
            out.append(f"    listen 127.0.0.1:{https_port} ssl;")
            replaced["listen 443"] += 1
        elif code.startswith("ssl_certificate_key"):
            out.append(f"    ssl_certificate_key {cert.with_suffix('.key')};")
            replaced["ssl_certificate_key"] += 1
        elif code.startswith("ssl_certificate "):
            out.append(f"    ssl_certificate {cert};")
            replaced["ssl_certificate "] += 1
        elif code.startswith("access_log "):
            out.append(
                re.sub(r"access_log [^\s;]+", f"access_log {cert.parent / 'access.log'}", line)
            )
            replaced["access_log"] += 1
        elif code.startswith("server_name"):
            out.append(line)  # any name: the test sends requests by address
        else:
            raise AssertionError(f"a '# site:' line the test does not know: {line!r}")
    assert replaced["host"] >= len(hosts) and all(replaced.values()), replaced
    return "\n".join(out) + "\n"


def self_signed(folder: Path) -> Path:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "votesys.test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .sign(key, hashes.SHA256())
    )
    path = folder / "cert.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    path.with_suffix(".key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


@dataclass
class Nginx:
    """nginx in the foreground, its files in ``workdir``, in front of ``hosts``
    ("127.0.0.1:PORT" each)."""

    workdir: Path
    hosts: list[str]
    shipped: str = field(default_factory=lambda: SHIPPED.read_text())
    http_port: int = field(default_factory=free_port)
    https_port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def start(self) -> Nginx:
        self.workdir.mkdir(parents=True, exist_ok=True)
        cert = self_signed(self.workdir)
        site = self.workdir / "votesys.conf"
        site.write_text(
            site_config(self.shipped, self.hosts, self.http_port, self.https_port, cert)
        )
        temp = " ".join(
            f"{kind}_temp_path {self.workdir / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        main = self.workdir / "nginx.conf"
        main.write_text(
            f"{'user root;' if os.geteuid() == 0 else ''}\n"
            "worker_processes 1;\n"
            # as docs/nginx/votesys.conf asks of nginx.conf: room for thousands of clients
            "worker_rlimit_nofile 16384;\n"
            f"pid {self.workdir / 'nginx.pid'};\n"
            f"error_log {self.workdir / 'error.log'} info;\n"
            "events { worker_connections 8192; }\n"
            "http {\n"
            f"  access_log {self.workdir / 'access.log'};\n"
            "  gzip on;\n"  # as Debian's nginx.conf has it
            f"  {temp}\n"
            f"  include {site};\n"
            "}\n"
        )
        check = subprocess.run(
            [NGINX, "-t", "-q", "-e", str(self.workdir / "error.log"), "-c", str(main)],
            capture_output=True,
            text=True,
        )
        assert check.returncode == 0, f"nginx -t: {check.stderr}"
        self.process = subprocess.Popen(
            [NGINX, "-e", str(self.workdir / "error.log"), "-c", str(main), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        wait_for(self._listening, 20, "nginx to listen")
        return self

    def _listening(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"nginx exited: {self.error_log()[-3000:]}")
        try:
            return Visitor(self).get("/api/v1/health").status in (200, 502, 503)
        except Broken:
            return False

    def error_log(self) -> str:
        path = self.workdir / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


@dataclass
class Visitor:
    """A browser or a script reaching votesys through nginx over HTTPS, from its own address
    in 127.0.0.0/8 (``source``), keeping its cookies."""

    proxy: Nginx
    source: str = "127.0.0.1"
    cookies: dict[str, str] = field(default_factory=dict)

    def connection(self, timeout: float = 30) -> http.client.HTTPSConnection:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
        return http.client.HTTPSConnection(
            "127.0.0.1",
            self.proxy.https_port,
            timeout=timeout,
            context=context,
            source_address=(self.source, 0),
        )

    def headers(self, extra: dict | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def request(self, method: str, path: str, body: bytes | None = None, **headers) -> Answer:
        conn = self.connection()
        try:
            conn.request(method, path, body=body, headers=self.headers(headers))
            response = conn.getresponse()
            answer = Answer(response.status, response.read(), dict(response.getheaders()))
        except (OSError, http.client.HTTPException) as err:
            raise Broken(repr(err)) from None
        finally:
            conn.close()
        for key, value in answer.headers.items():
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return answer

    def get(self, path: str, **headers) -> Answer:
        return self.request("GET", path, **headers)

    def post_json(self, path: str, data: object, token: str | None = None) -> Answer:
        import json

        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.request("POST", path, json.dumps(data).encode(), **headers)

    def form_post(self, path: str, fields: dict[str, str], csrf_from: str, **headers) -> Answer:
        """Fill a form as a browser would: its CSRF token read from the page ``csrf_from``."""
        page = self.get(csrf_from).text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        body = urlencode({"csrf_token": token, **fields}).encode()
        sent = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": self.proxy.url + csrf_from,  # as a browser sends (CSRF over HTTPS)
            **headers,
        }
        return self.request("POST", path, body, **sent)
