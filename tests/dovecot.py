"""A real IMAP server for the tests: Debian's Dovecot, started once per session from a throwaway configuration
(its own base_dir, a passwd-file user, a maildir, IMAPS on a free port of 127.0.0.1 with a certificate signed
by a CA made for this run, and IMAP with STARTTLS required on another port), and stopped at the end.
`make test` installs Dovecot (target `imap`); when it is missing the tests that need it fail, never skip.

Loaded as a plugin by tests/conftest.py: fixtures `imap_server` (session) and `imap_mailbox` (empty per test).
"""

import datetime
import grp
import ipaddress
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from imapclient import IMAPClient

DOVECOT_CANDIDATES = ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot")
USER, PASSWORD = "reseau", "mot-de-passe-de-test"


def _dovecot_binary() -> str:
    found = shutil.which("dovecot") or next((path for path in DOVECOT_CANDIDATES if os.access(path, os.X_OK)), None)
    if found is None:
        pytest.fail("Dovecot is not installed: run `make imap` (apt-get install -y dovecot-imapd)")
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _write_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A CA made for this run, and the server's certificate for 127.0.0.1 signed by it."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Réseau test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
          .not_valid_after(now + datetime.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    server = (x509.CertificateBuilder()
              .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])).issuer_name(ca_name)
              .public_key(key.public_key()).serial_number(x509.random_serial_number())
              .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=2))
              .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                          x509.DNSName("localhost")]), critical=False)
              .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
              .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
              .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
              .sign(ca_key, hashes.SHA256()))
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_file.chmod(0o600)
    return ca_file, cert_file, key_file


def _accounts() -> tuple[str, str, str, int, int]:
    """Dovecot's own user, group and login user, and the owner of the mail. As root the services drop to
    Dovecot's users and the mail belongs to `nobody` (Dovecot refuses uid 0); otherwise everything runs as the
    current user and group."""
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        return "dovecot", "dovecot", "dovenull", nobody.pw_uid, nobody.pw_gid
    me = pwd.getpwuid(os.getuid())
    return me.pw_name, grp.getgrgid(me.pw_gid).gr_name, me.pw_name, me.pw_uid, me.pw_gid


@dataclass
class ImapServer:
    host: str
    port: int
    starttls_port: int  # plain IMAP where STARTTLS is required (ssl = required)
    username: str
    password: str
    ca_file: str
    log_file: Path

    def client(self) -> IMAPClient:
        client = IMAPClient(self.host, port=self.port, ssl=True,
                            ssl_context=ssl.create_default_context(cafile=self.ca_file), timeout=10)
        client.login(self.username, self.password)
        return client

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        """Deliver a message into the mailbox, as the receiving MTA would."""
        with self.client() as client:
            client.append(folder, raw)

    def messages(self, folder: str) -> list[bytes]:
        with self.client() as client:
            if not client.folder_exists(folder):
                return []
            client.select_folder(folder, readonly=True)
            uids = client.search(["ALL"])
            fetched = client.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
            return [fetched[uid][b"BODY[]"] for uid in sorted(fetched)]

    def flags(self, folder: str = "INBOX") -> list[tuple]:
        with self.client() as client:
            client.select_folder(folder, readonly=True)
            uids = client.search(["ALL"])
            return [flags for _, flags in sorted(client.get_flags(uids).items())] if uids else []

    def empty(self) -> None:
        with self.client() as client:
            for _, _, name in client.list_folders():
                client.select_folder(name)
                uids = client.search(["ALL"])
                if uids:
                    client.delete_messages(uids)
                    client.expunge()
                client.unselect_folder()
                if name != "INBOX":
                    client.delete_folder(name)


CONFIG = """\
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
protocols = imap
listen = 127.0.0.1
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = 1
ssl = required
ssl_cert = <{cert}
ssl_key = <{key}
ssl_min_protocol = TLSv1.2
auth_mechanisms = plain
disable_plaintext_auth = yes
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={base}/home/%u
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {starttls_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"""


@pytest.fixture(scope="session")
def imap_server():
    binary = _dovecot_binary()
    base = Path(tempfile.mkdtemp(prefix="reseau-dovecot-"))
    base.chmod(0o755)  # Dovecot's unprivileged services read the certificate and the users file here
    internal_user, internal_group, login_user, uid, gid = _accounts()
    ca_file, cert_file, key_file = _write_certificates(base)
    (base / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    home = base / "home" / USER
    home.mkdir(parents=True)
    if os.geteuid() == 0:
        os.chown(home, uid, gid)
    port, starttls_port = _free_port(), _free_port()
    config = base / "dovecot.conf"
    config.write_text(CONFIG.format(base=base, internal_user=internal_user, internal_group=internal_group,
                                    login_user=login_user, uid=uid, gid=gid,
                                    cert=cert_file, key=key_file, port=port, starttls_port=starttls_port))
    process = subprocess.Popen([binary, "-F", "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    server = ImapServer("127.0.0.1", port, starttls_port, USER, PASSWORD, str(ca_file), base / "dovecot.log")
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode(errors="replace")
                log = server.log_file.read_text(errors="replace") if server.log_file.exists() else ""
                pytest.fail(f"Dovecot did not start:\n{output}\n{log}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("Dovecot did not listen within 20 s")
                time.sleep(0.05)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def imap_mailbox(imap_server):
    """The session's IMAP server with an empty mailbox (INBOX only)."""
    imap_server.empty()
    yield imap_server
