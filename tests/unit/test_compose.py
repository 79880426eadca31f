"""docker-compose.yml is validated here because this machine has no Docker engine to run it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

from wirewatch.settings import from_env

ROOT = Path(__file__).resolve().parents[2]


def load() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_services_images_and_dependencies() -> None:
    services = load()["services"]
    assert set(services) >= {"kafka", "poll", "worker", "prometheus"}
    assert services["kafka"]["image"].startswith("apache/kafka:")
    kafka_env = services["kafka"]["environment"]
    assert "controller" in kafka_env["KAFKA_PROCESS_ROLES"] and "broker" in kafka_env["KAFKA_PROCESS_ROLES"]
    assert kafka_env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    for name, command in (("poll", ["poll"]), ("worker", ["worker"])):
        service = services[name]
        assert service["command"] == command
        assert service["depends_on"]["kafka"]["condition"] == "service_healthy"
        assert service["environment"]["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert (ROOT / services["poll"]["build"] / "Dockerfile").exists()
    assert "/health" in " ".join(services["worker"]["healthcheck"]["test"])
    assert services["worker"]["environment"]["WIREWATCH_WEB_HOST"] == "0.0.0.0"


def test_prometheus_scrapes_what_the_services_expose() -> None:
    services = load()["services"]
    [mount] = services["prometheus"]["volumes"]
    config = yaml.safe_load((ROOT / mount.split(":")[0]).read_text())
    targets = {job["job_name"]: job for job in config["scrape_configs"]}
    assert targets["wirewatch-poll"]["static_configs"][0]["targets"] == [
        f"poll:{services['poll']['environment']['WIREWATCH_METRICS_PORT']}"]
    assert targets["wirewatch-worker"]["dns_sd_configs"][0]["port"] == int(
        services["worker"]["environment"]["WIREWATCH_WEB_PORT"])


def test_service_environments_are_valid_settings() -> None:
    for name in ("poll", "worker"):
        env = {k: str(v) for k, v in load()["services"][name]["environment"].items()}
        env.pop("WIREWATCH_FEEDS_FILE", None)
        settings = from_env(env)
        assert settings.bootstrap == "kafka:9092" and not settings.embedded


def test_docker_compose_config_accepts_it_where_the_client_has_compose() -> None:
    docker = shutil.which("docker")
    has_compose = docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    if has_compose:
        result = subprocess.run([docker, "compose", "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
    else:
        assert load()["name"] == "wirewatch"
