"""The shared TLS context: a certificate setting that cannot be loaded says which one to fix."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from treatylab.agents.backends.clients import tls_context
from treatylab.core.errors import UserError


@pytest.fixture
def fresh_context() -> Iterator[None]:
    tls_context.cache_clear()
    yield
    tls_context.cache_clear()  # the next user builds it again from the real environment


def test_a_missing_ca_bundle_names_the_variable_and_the_file(fresh_context, monkeypatch,
                                                             tmp_path: Path) -> None:
    missing = tmp_path / "missing.pem"
    monkeypatch.setenv("SSL_CERT_FILE", str(missing))
    with pytest.raises(UserError) as caught:
        tls_context()
    message = str(caught.value)
    assert f"SSL_CERT_FILE={missing}" in message and "No such file" in message
    assert "PEM" in message


def test_the_context_is_built_once_per_process(fresh_context, monkeypatch) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    assert tls_context() is tls_context()
