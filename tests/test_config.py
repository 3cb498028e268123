from pathlib import Path

import pytest

from legiongraph.config import Config, load_config
from legiongraph.errors import ConfigError


def test_defaults_apply_when_nothing_is_set():
    config = load_config(env={})
    assert config.store == "oxigraph"
    assert config.port == 8000
    assert config.store_path.name == "store"


def test_file_then_environment_then_flags_take_precedence(tmp_path: Path):
    file = tmp_path / "lg.toml"
    file.write_text('[legiongraph]\nstore = "memory"\nport = 9000\nhost = "0.0.0.0"\n')
    env = {"LEGIONGRAPH_PORT": "9100", "LEGIONGRAPH_STORE_PATH": str(tmp_path / "s")}
    config = load_config(file, env=env, port=9200, store=None)
    assert config.store == "memory"          # from the file
    assert config.host == "0.0.0.0"          # from the file
    assert config.store_path == tmp_path / "s"  # from the environment
    assert config.port == 9200               # from the flag, which wins


def test_config_file_named_by_environment_is_read(tmp_path: Path):
    file = tmp_path / "lg.toml"
    file.write_text('store = "memory"\n')
    assert load_config(env={"LEGIONGRAPH_CONFIG": str(file)}).store == "memory"


def test_config_is_frozen():
    with pytest.raises(AttributeError):
        Config().port = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LEGIONGRAPH_STORE": "neptune"}, "store: expected one of oxigraph, memory, sparql"),
        ({"LEGIONGRAPH_PORT": "eighty"}, "LEGIONGRAPH_PORT: port: expected an integer"),
        ({"LEGIONGRAPH_PORT": "70000"}, "port: expected 1-65535, got 70000"),
    ],
)
def test_bad_setting_names_the_setting(env: dict[str, str], message: str):
    with pytest.raises(ConfigError) as info:
        load_config(env=env)
    assert message in str(info.value)


def test_unknown_key_in_file_names_file_and_key(tmp_path: Path):
    file = tmp_path / "lg.toml"
    file.write_text('colour = "red"\n')
    with pytest.raises(ConfigError, match=r"lg\.toml: unknown setting 'colour'"):
        load_config(file, env={})


def test_malformed_toml_names_the_file(tmp_path: Path):
    file = tmp_path / "broken.toml"
    file.write_text("store = \n")
    with pytest.raises(ConfigError, match=r"broken\.toml: not valid TOML"):
        load_config(file, env={})


def test_lists_and_booleans_from_environment_and_file(tmp_path: Path):
    file = tmp_path / "lg.toml"
    file.write_text('service_allowlist = ["https://query.wikidata.org/sparql"]\npublic = true\n')
    assert load_config(file, env={}).service_allowlist == ("https://query.wikidata.org/sparql",)
    env = {"LEGIONGRAPH_SERVICE_ALLOWLIST": "https://a.example/sparql https://b.example/sparql",
           "LEGIONGRAPH_PUBLIC": "yes"}
    config = load_config(env=env)
    assert config.service_allowlist == ("https://a.example/sparql", "https://b.example/sparql")
    assert config.public is True


def test_sparql_store_needs_an_endpoint():
    with pytest.raises(ConfigError, match="sparql_endpoint: the 'sparql' store needs"):
        load_config(env={"LEGIONGRAPH_STORE": "sparql"})


def test_bad_boolean_names_the_variable():
    with pytest.raises(ConfigError, match="LEGIONGRAPH_PUBLIC: public: expected true or false"):
        load_config(env={"LEGIONGRAPH_PUBLIC": "maybe"})
