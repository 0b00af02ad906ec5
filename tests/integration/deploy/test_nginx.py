"""deploy/nginx/telewywiad.conf in front of a real gunicorn: TLS, HSTS, http → https, Secure cookie, X-Forwarded-*,
uploads up to the size limit.

nginx (Debian's; `make test` installs it) runs as a child process with its own prefix on free loopback ports and
a throwaway self-signed certificate. Only ports, paths and the upstream address are changed in the file; nginx
reaches the app from 127.0.0.2, so the app seeing the client's 127.0.0.1 proves X-Forwarded-For is trusted, and a
forged X-Forwarded-For from the client is overwritten.
"""

from __future__ import annotations

import datetime as dt
import http.client
import ipaddress
import os
import re
import shutil
import socket
import sqlite3
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.auth.throttle import attempt_key
from tests.serverproc import ServerProcess, free_port, server_env

ROOT = Path(__file__).resolve().parents[3]
SITE = ROOT / "deploy" / "nginx" / "telewywiad.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
ADMIN_PASSWORD = "Hasło-Do-Serwera-Nginx-1"
MB = 1024 * 1024


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (also the CA the client trusts), valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "telewywiad test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _replace(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"deploy/nginx/telewywiad.conf no longer has exactly one {old!r}"
    return text.replace(old, new)


def site_config(folder: Path, *, app_port: int, http_port: int, https_port: int, cert: Path, key: Path) -> Path:
    """The deployed site file with only addresses and paths changed for this machine."""
    text = SITE.read_text(encoding="utf-8")
    text = _replace(text, "server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};")
    text = _replace(text, "    listen 80;\n", f"    listen 127.0.0.1:{http_port};\n")
    text = _replace(text, "    listen [::]:80;\n", "")
    text = _replace(text, "    listen 443 ssl http2;\n", f"    listen 127.0.0.1:{https_port} ssl http2;\n")
    text = _replace(text, "    listen [::]:443 ssl http2;\n", "")
    text = _replace(text, "/etc/ssl/telewywiad/fullchain.pem", str(cert))
    text = _replace(text, "/etc/ssl/telewywiad/privkey.pem", str(key))
    text = _replace(text, "/var/log/nginx/telewywiad.access.log", str(folder / "access.log"))
    site = folder / "site.conf"
    site.write_text(text, encoding="utf-8")
    return site


def main_config(folder: Path, site: Path) -> Path:
    """What Debian's /etc/nginx/nginx.conf provides around a site, pointed into the test's folder."""
    temp = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir()
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must reach the test's private temp folders
    conf = folder / "nginx.conf"
    conf.write_text(
        f"{user}worker_processes 1;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'} warn;\n"
        "events { worker_connections 64; }\n"
        "http {\n"
        f"  client_body_temp_path {temp['body']};\n  proxy_temp_path {temp['proxy']};\n"
        f"  fastcgi_temp_path {temp['fastcgi']};\n  uwsgi_temp_path {temp['uwsgi']};\n  scgi_temp_path {temp['scgi']};\n"
        "  proxy_bind 127.0.0.2;\n"  # the proxy's own address differs from the client's (see the module doc)
        f"  include {site};\n"
        "}\n",
        encoding="utf-8",
    )
    return conf


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(log.read_text() if log.exists() else "nginx exited")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("nginx did not start listening")


@dataclass
class Deployment:
    """The app behind nginx: ports, the TLS context trusting the test certificate, the app's secret and database."""

    http_port: int
    https_port: int
    context: ssl.SSLContext
    secret: str
    database: Path

    def https(self) -> http.client.HTTPSConnection:
        """A TLS connection to nginx (the certificate is checked against the throwaway CA)."""
        return http.client.HTTPSConnection("127.0.0.1", self.https_port, context=self.context, timeout=60)

    @property
    def origin(self) -> str:
        """https://127.0.0.1:PORT."""
        return f"https://127.0.0.1:{self.https_port}"


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """gunicorn (trusting one proxy, Secure cookies) with an office and administrator, behind nginx."""
    if not Path(NGINX).exists():
        pytest.fail("nginx not found: `make test` installs it (apt-get install nginx)")
    folder = tmp_path_factory.mktemp("nginx")
    instance = folder / "instance"
    env = server_env(instance, TELEWYWIAD_TRUSTED_PROXIES="1", TELEWYWIAD_SESSION_COOKIE_SECURE="true",
                     TELEWYWIAD_MAX_UPLOAD_MB="10", TELEWYWIAD_ADMIN_PASSWORD=ADMIN_PASSWORD)
    server = ServerProcess(instance=instance, env=env, workers=2)
    for args in (("db", "upgrade"),
                 ("setup", "--office-name", "GOPS Puck", "--admin-username", "admin", "--admin-full-name", "Jan Nowak")):
        result = server.cli(*args)
        assert result.returncode == 0, result.stderr
    server.start()
    cert, key = _certificate(folder)
    http_port, https_port = free_port(), free_port()
    conf = main_config(folder, site_config(folder, app_port=server.port, http_port=http_port, https_port=https_port,
                                           cert=cert, key=key))
    check = subprocess.run([NGINX, "-t", "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log")],
                           capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stderr
    nginx = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log"),
                              "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(https_port, nginx, folder / "error.log")
        yield Deployment(http_port, https_port, ssl.create_default_context(cafile=str(cert)),
                         env["TELEWYWIAD_SECRET_KEY"], instance / "telewywiad.sqlite3")
    finally:
        nginx.terminate()
        nginx.wait(timeout=15)
        server.stop()


def _csrf(body: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', body)
    assert match
    return match.group(1)


def _login(deployment: Deployment, *, referer: str, forwarded_for: str = "") -> http.client.HTTPResponse:
    connection = deployment.https()
    connection.request("GET", "/login")
    page = connection.getresponse()
    body = page.read().decode()
    cookie = page.headers["Set-Cookie"].split(";", 1)[0]
    form = f"username=admin&password={ADMIN_PASSWORD}&csrf_token={_csrf(body)}".encode()
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded", "Referer": referer}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    connection.request("POST", "/login", body=form, headers=headers)
    response = connection.getresponse()
    response.read()
    return response


def _upload(deployment: Deployment, cookie: str, token: str, size: int) -> int:
    """POST a form definition of `size` bytes (multipart) to the office's forms page; the status."""
    boundary = "----telewywiad-test-boundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.yaml\"\r\n"
            "Content-Type: application/yaml\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    body = head + b"#" * (size - len(head) - len(tail)) + tail
    connection = deployment.https()
    connection.request("POST", "/admin/offices/1/forms", body=body, headers={
        "Cookie": cookie, "Referer": f"{deployment.origin}/admin/offices/1/forms",
        "Content-Type": f"multipart/form-data; boundary={boundary}"})
    response = connection.getresponse()
    response.read()
    return response.status


def test_plain_http_is_redirected_to_https(deployment: Deployment) -> None:
    """Every http request gets a permanent redirect to the same path over https."""
    connection = http.client.HTTPConnection("127.0.0.1", deployment.http_port, timeout=30)
    connection.request("GET", "/cases?page=2")
    response = connection.getresponse()
    assert response.status == 301
    assert response.headers["Location"] == "https://127.0.0.1/cases?page=2"


def test_https_pages_carry_hsts_once_and_the_apps_own_headers(deployment: Deployment) -> None:
    """HSTS (two years) from the proxy, exactly once; CSP and no-store still come from the app."""
    connection = deployment.https()
    connection.request("GET", "/login")
    response = connection.getresponse()
    response.read()
    assert response.status == 200
    assert response.headers.get_all("Strict-Transport-Security") == ["max-age=63072000; includeSubDomains"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_login_over_https_sets_a_secure_cookie_and_trusts_the_forwarded_headers(deployment: Deployment) -> None:
    """The session cookie is Secure and HttpOnly; the app sees https and the client's own address (not the proxy's,
    not a forged one); a POST whose Referer is another origin is refused as it would be without a proxy."""
    refused = _login(deployment, referer="https://evil.example/login")
    assert refused.status == 400  # CSRF's https referrer check: the app knows the request came over https
    response = _login(deployment, referer=f"{deployment.origin}/login", forwarded_for="203.0.113.9")
    assert response.status == 302
    cookie = response.headers["Set-Cookie"]
    assert "tw_session=" in cookie and "Secure" in cookie and "HttpOnly" in cookie
    with sqlite3.connect(deployment.database) as conn:
        seen = {row[0] for row in conn.execute("SELECT address_key FROM login_attempt")}
    assert attempt_key(deployment.secret, "addr", "127.0.0.1") in seen
    assert attempt_key(deployment.secret, "addr", "127.0.0.2") not in seen  # the proxy's address
    assert attempt_key(deployment.secret, "addr", "203.0.113.9") not in seen  # forged by the client


def test_uploads_up_to_the_limit_pass_and_larger_ones_are_refused(deployment: Deployment) -> None:
    """A 9.5 MB upload reaches the app, which answers about its content (422); 11 MB is refused with 413."""
    login = _login(deployment, referer=f"{deployment.origin}/login")
    cookie = login.headers["Set-Cookie"].split(";", 1)[0]
    connection = deployment.https()
    connection.request("GET", "/admin/offices/1/forms", headers={"Cookie": cookie})
    page = connection.getresponse()
    token = _csrf(page.read().decode())
    assert _upload(deployment, cookie, token, int(9.5 * MB)) == 422
    assert _upload(deployment, cookie, token, 11 * MB) == 413
