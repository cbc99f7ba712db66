"""deploy/: the Kubernetes per-tenant manifests parse into the Kubernetes API models (the
``kubernetes`` package) without losing a key, and say what docs/deploy.md promises; the systemd
template unit passes ``systemd-analyze verify`` and its command line really runs two isolated
tenants side by side."""

from __future__ import annotations

import copy
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes.client import ApiClient

from systemd_units import verify_user_unit

REPO = Path(__file__).resolve().parents[1]
TENANT = REPO / "deploy" / "kubernetes" / "tenant.yaml"
TEMPLATE = REPO / "deploy" / "systemd" / "openclaw-gateway@.service"
MODELS = {("v1", "Service"): "V1Service", ("apps/v1", "StatefulSet"): "V1StatefulSet"}


def parse(document: dict[str, Any]) -> Any:
    """The document as its Kubernetes model; AssertionError when a key is unknown to the API
    (the model drops it, so the round trip differs) or a required field is missing."""
    api = ApiClient()
    model = MODELS[(document["apiVersion"], document["kind"])]
    obj = api._ApiClient__deserialize(document, model)  # the client's own JSON -> model path
    assert api.sanitize_for_serialization(obj) == document, f"{document['kind']}: unknown keys"
    return obj


def documents() -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(TENANT.read_text()) if d]


def test_the_tenant_manifests_are_valid_kubernetes_objects():
    objects = {d["kind"]: parse(d) for d in documents()}
    service, stateful = objects["Service"], objects["StatefulSet"]
    pod = stateful.spec.template.spec
    (gateway,) = pod.containers
    assert stateful.spec.replicas == 1  # one process per trust domain
    assert service.spec.selector == stateful.spec.template.metadata.labels
    assert stateful.spec.service_name == service.metadata.name
    # The state dir given to `run` is the persistent volume.
    state_dir = gateway.args[gateway.args.index("--state-dir") + 1]
    mount = next(m for m in gateway.volume_mounts if m.mount_path == state_dir)
    assert mount.name in {t.metadata.name for t in stateful.spec.volume_claim_templates}
    # `openclaw-gateway health` is every probe; SIGTERM gets longer than the 15 s reply grace.
    for probe in (gateway.startup_probe, gateway.readiness_probe, gateway.liveness_probe):
        assert probe._exec.command[:2] == ["openclaw-gateway", "health"]
    assert pod.termination_grace_period_seconds >= 20
    assert gateway.security_context.read_only_root_filesystem is True
    assert pod.security_context.run_as_non_root is True
    assert gateway.env[0].value_from.secret_key_ref.key == "token"
    ports = {p.name: p.container_port for p in gateway.ports}
    assert {p.target_port for p in service.spec.ports} <= set(ports)


def test_the_check_catches_a_typo():
    stateful = copy.deepcopy(next(d for d in documents() if d["kind"] == "StatefulSet"))
    stateful["spec"]["replicass"] = 1
    with pytest.raises(AssertionError, match="unknown keys"):
        parse(stateful)
    broken = copy.deepcopy(next(d for d in documents() if d["kind"] == "StatefulSet"))
    del broken["spec"]["selector"]
    with pytest.raises(ValueError, match="selector"):
        parse(broken)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_the_template_unit_verifies(tmp_path):
    instance = tmp_path / "openclaw-gateway@acme.service"
    instance.write_text(TEMPLATE.read_text())
    assert verify_user_unit(instance) == (0, [])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_two_tenants_from_the_template_run_side_by_side(tmp_path):
    """The template's ExecStart and EnvironmentFile, expanded as systemd would for %h and %i."""
    text = TEMPLATE.read_text()
    exec_start = re.search(r"^ExecStart=(.*)$", text, re.M).group(1)
    home = tmp_path / "home"
    procs, ports = {}, {}
    try:
        for tenant in ("acme", "globex"):
            env_file = home / ".config" / "openclaw-gateway" / f"{tenant}.env"
            env_file.parent.mkdir(parents=True, exist_ok=True)
            ports[tenant] = _free_port()
            env_file.write_text(
                f"OPENCLAW_GATEWAY_PORT={ports[tenant]}\nOPENCLAW_GATEWAY_HTTP_PORT={_free_port()}\n"
                f"OPENCLAW_GATEWAY_TOKEN=tenant-{tenant}-token-0123456789abcdefghijklmn\n"
                "OPENCLAW_GATEWAY_PLUGINS__CANVAS__PORT=0\nOPENCLAW_GATEWAY_SECRETS_BACKEND=file\n"
            )
            argv = shlex.split(exec_start.replace("%h", str(home)).replace("%i", tenant))
            env = {**os.environ, "HOME": str(home)}
            env.update(line.split("=", 1) for line in env_file.read_text().splitlines())
            procs[tenant] = subprocess.Popen(
                argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
        for tenant, proc in procs.items():
            deadline = time.monotonic() + 20
            while f":{ports[tenant]} " not in (line := proc.stdout.readline()):
                assert line and time.monotonic() < deadline, f"{tenant} did not start"
        for tenant in procs:
            other = "globex" if tenant == "acme" else "acme"
            health = subprocess.run(
                [
                    "openclaw-gateway",
                    "health",
                    "--json",
                    "--url",
                    f"ws://127.0.0.1:{ports[tenant]}",
                ],
                capture_output=True,
                text=True,
                env={
                    **os.environ,
                    "OPENCLAW_GATEWAY_TOKEN": f"tenant-{tenant}-token-0123456789abcdefghijklmn",
                },
                timeout=60,
            )
            assert health.returncode == 0, health.stderr
            # One trust domain per process: the other tenant's token is refused.
            crossed = subprocess.run(
                ["openclaw-gateway", "health", "--url", f"ws://127.0.0.1:{ports[tenant]}"],
                capture_output=True,
                text=True,
                env={
                    **os.environ,
                    "OPENCLAW_GATEWAY_TOKEN": f"tenant-{other}-token-0123456789abcdefghijklmn",
                },
                timeout=60,
            )
            assert crossed.returncode == 4
            assert (home / ".local" / "state" / "openclaw-gateway" / tenant / "state.db").exists()
    finally:
        for proc in procs.values():
            proc.send_signal(signal.SIGTERM)
        for proc in procs.values():
            assert proc.wait(30) == 0
