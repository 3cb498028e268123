"""The documentation site served at /docs/ from the local build, and a clear 404 before it is built."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from legiongraph.resources import Resources
from legiongraph.web import create_app


@pytest.fixture
def site_client(tmp_path: Path, served_config, oxigraph_store):
    site = tmp_path / "site"
    (site / "reference").mkdir(parents=True)
    (site / "index.html").write_text("<h1>legiongraph documentation</h1><script>var a = 1;</script>"
                                     '<script src="x.js"></script>', encoding="utf-8")
    (site / "reference" / "queries.html").write_text("<h1>Named queries</h1>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("not for the web", encoding="utf-8")
    app = create_app(dataclasses.replace(served_config, data_dir=tmp_path), store=oxigraph_store)
    return app.test_client()


def test_docs_home_is_served_from_the_built_site(site_client):
    with site_client.get("/docs/") as response:
        assert response.status_code == 200
        assert "<h1>legiongraph documentation</h1>" in response.get_data(as_text=True)
    with site_client.get("/docs/reference/queries.html") as page:
        assert page.status_code == 200
        assert page.get_data(as_text=True) == "<h1>Named queries</h1>"


def test_docs_pages_allow_exactly_their_own_inline_scripts(site_client):
    with site_client.get("/docs/") as response:
        policy = response.headers["Content-Security-Policy"]
    # sha256 of "var a = 1;": the theme's inline scripts run, no other inline script does
    assert "script-src 'self' 'sha256-" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    with site_client.get("/docs/reference/queries.html") as page:
        assert "script-src 'self';" in page.headers["Content-Security-Policy"]


def test_docs_without_slash_redirects_to_docs_with_slash(site_client):
    response = site_client.get("/docs")
    assert response.status_code == 308
    assert response.headers["Location"] in ("docs/", "/docs/", "http://localhost/docs/")


def test_docs_redirect_never_names_an_untrusted_host(site_client):
    response = site_client.get("/docs", headers={"Host": "evil.example"})
    assert "evil.example" not in response.headers.get("Location", "")


@pytest.mark.parametrize("path", ["/docs/../secret.txt", "/docs/%2e%2e/secret.txt",
                                  "/docs/..%2fsecret.txt", "/docs/reference/../../secret.txt"])
def test_docs_path_traversal_stays_inside_the_site(site_client, path):
    response = site_client.get(path)
    assert response.status_code == 404
    assert "not for the web" not in response.get_data(as_text=True)


def test_docs_before_make_docs_say_how_to_build_them(client, monkeypatch):
    monkeypatch.setattr(Resources, "docs_site", lambda self: None)
    response = client.get("/docs/")
    assert response.status_code == 404
    assert "run `make docs`" in response.get_data(as_text=True)


def test_docs_site_is_found_in_a_data_dir(tmp_path: Path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("x", encoding="utf-8")
    assert Resources(tmp_path).docs_site() == tmp_path / "site"
