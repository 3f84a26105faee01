"""``covet run --http2``: the example app served over HTTP/2 by a real Hypercorn.

Two ways to reach HTTP/2, both on loopback:

- h2c, cleartext with *prior knowledge*: the client knows the server speaks HTTP/2 and opens
  the connection with the HTTP/2 preface instead of an HTTP/1.1 request.
- TLS with ALPN: during the handshake the client offers ``h2`` and ``http/1.1``, and the
  server picks one. A client that offers only ``http/1.1`` gets HTTP/1.1 from the same server.

uvicorn, the default server, is the control: it speaks HTTP/1.1 only, even over TLS.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

REPO_ROOT = Path(__file__).resolve().parent.parent
COVET_SCRIPT = Path(sys.executable).parent / "covet"
EXAMPLE = "examples.hello.app:app"
USER_123 = {"id": 123, "name": "User 123", "framework": "CovetPy Alpha"}

Serve = Callable[[Callable[[int], list[str]], Path], AbstractContextManager[str]]


@dataclass(frozen=True)
class Certificate:
    """A self-signed certificate for 127.0.0.1 and its private key, as PEM files."""

    certfile: Path
    keyfile: Path

    def client_context(self) -> ssl.SSLContext:
        """A client TLS context that trusts this certificate and nothing else."""
        return ssl.create_default_context(cafile=str(self.certfile))


def make_self_signed_certificate(directory: Path) -> Certificate:
    """Write a certificate valid for the IP address 127.0.0.1 for one day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        # Clients match the URL's host against the subject alternative names, never the
        # common name; an IP address host needs an IP address entry.
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    certfile = directory / "cert.pem"
    keyfile = directory / "key.pem"
    certfile.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return Certificate(certfile, keyfile)


def covet_run(*options: str) -> Callable[[int], list[str]]:
    """``covet run examples.hello.app:app OPTIONS --port PORT``, from the dev environment."""

    def command(port: int) -> list[str]:
        return [str(COVET_SCRIPT), "run", EXAMPLE, *options, "--port", str(port)]

    return command


def https(base_url: str) -> str:
    return base_url.replace("http://", "https://", 1)


def negotiated_alpn(response: httpx.Response) -> str | None:
    """The protocol that the TLS handshake of ``response``'s connection agreed on.

    Asked while the client is open: a closed connection no longer has its TLS state.
    """
    # The TLS object of the socket (httpcore hands out the one below ssl.SSLSocket).
    ssl_object = response.extensions["network_stream"].get_extra_info("ssl_object")
    assert ssl_object is not None, "not a TLS connection"
    protocol: str | None = ssl_object.selected_alpn_protocol()
    return protocol


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return make_self_signed_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def h2c_url(serve: Serve) -> Iterator[str]:
    with serve(covet_run("--http2"), REPO_ROOT) as url:
        yield url


@pytest.fixture(scope="module")
def tls_url(serve: Serve, certificate: Certificate) -> Iterator[str]:
    tls = ("--certfile", str(certificate.certfile), "--keyfile", str(certificate.keyfile))
    with serve(covet_run("--http2", *tls), REPO_ROOT) as url:
        yield https(url)


def test_h2c_with_prior_knowledge_is_served_over_http2(h2c_url: str) -> None:
    with httpx.Client(base_url=h2c_url, http1=False, http2=True, timeout=10) as client:
        response = client.get("/users/123")
    assert response.http_version == "HTTP/2"
    assert response.status_code == 200
    assert response.json() == USER_123
    assert response.headers["server"] == "hypercorn-h2"


def test_the_cleartext_http2_server_still_answers_http11(h2c_url: str) -> None:
    with httpx.Client(base_url=h2c_url, timeout=10) as client:
        response = client.get("/users/123")
    assert response.http_version == "HTTP/1.1"
    assert response.json() == USER_123
    assert response.headers["server"] == "hypercorn-h11"


def test_tls_negotiates_http2_by_alpn(tls_url: str, certificate: Certificate) -> None:
    verify = certificate.client_context()
    with httpx.Client(base_url=tls_url, http2=True, verify=verify, timeout=10) as client:
        response = client.get("/users/123")
        alpn = negotiated_alpn(response)
    assert response.http_version == "HTTP/2"
    assert alpn == "h2"
    assert response.json() == USER_123


def test_an_http11_client_gets_http11_from_the_tls_server(
    tls_url: str, certificate: Certificate
) -> None:
    verify = certificate.client_context()
    with httpx.Client(base_url=tls_url, http2=False, verify=verify, timeout=10) as client:
        response = client.get("/users/123")
        alpn = negotiated_alpn(response)
    assert response.http_version == "HTTP/1.1"
    assert alpn == "http/1.1"
    assert response.json() == USER_123


def test_the_tls_server_presents_the_given_certificate(tls_url: str) -> None:
    # A client that trusts only the system's authorities rejects the self-signed
    # certificate: the connection really is TLS with the certificate from --certfile.
    with (
        httpx.Client(base_url=tls_url, http2=True, timeout=10) as client,
        pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"),
    ):
        client.get("/users/123")


def test_without_http2_uvicorn_serves_tls_as_http11_only(
    serve: Serve, certificate: Certificate
) -> None:
    tls = ("--certfile", str(certificate.certfile), "--keyfile", str(certificate.keyfile))
    verify = certificate.client_context()
    with (
        serve(covet_run(*tls), REPO_ROOT) as url,
        httpx.Client(base_url=https(url), http2=True, verify=verify, timeout=10) as client,
    ):
        response = client.get("/users/123")
        alpn = negotiated_alpn(response)
    # The client offered h2; uvicorn's handshake does not, so HTTP/1.1 is what is agreed.
    assert response.http_version == "HTTP/1.1"
    assert alpn != "h2"
    assert response.json() == USER_123
    assert response.headers["server"] == "uvicorn"
