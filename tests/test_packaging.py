"""Packaging: each addon builds an `odoo-addon-<name>` wheel with whool (no network).

The build runs on a copy of the files git knows or would add, in a new git repository
without any commit: a fresh clone with no history, the hardest case for whool, which
reads git for the version and the file list. whool comes from .venv
(requirements-dev.txt), hence `--no-build-isolation --no-index`.
"""

import ast
import email.parser
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ("sales_support", "o2c_kpi", "sales_support_loyalty")


def _manifest(addon):
    return ast.literal_eval((ROOT / "addons" / addon / "__manifest__.py").read_text())


def _run(cmd, cwd):
    res = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    assert res.returncode == 0, f"{' '.join(cmd)} failed:\n{res.stdout}\n{res.stderr}"
    return res.stdout


@pytest.fixture(scope="module")
def wheels(tmp_path_factory):
    """Build the wheels from a history-less copy; return {addon: ZipFile}."""
    src = tmp_path_factory.mktemp("clone")
    files = _run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], ROOT)
    for name in files.splitlines():
        if name.startswith("addons/") and (ROOT / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    _run(["git", "init", "-q"], src)
    _run(["git", "add", "-A"], src)
    out = tmp_path_factory.mktemp("wheels")
    pip = [sys.executable, "-m", "pip", "wheel", "-q", "--disable-pip-version-check"]
    _run(
        [*pip, "--no-build-isolation", "--no-deps", "--no-index", "-w", str(out)]
        + [str(src / "addons" / addon) for addon in ADDONS],
        src,
    )
    built = {}
    for path in out.glob("*.whl"):
        archive = zipfile.ZipFile(path)
        built[path.name] = archive
    yield built
    for archive in built.values():
        archive.close()


def _wheel(wheels, addon):
    version = _manifest(addon)["version"]
    name = f"odoo_addon_{addon}-{version}-py3-none-any.whl"
    assert name in wheels, f"{name} not built; built: {sorted(wheels)}"
    return wheels[name]


def _metadata(archive):
    (path,) = (n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
    return email.parser.HeaderParser().parsestr(archive.read(path).decode())


def test_wheel_names_follow_the_manifest_versions(wheels):
    expected = {
        f"odoo_addon_{addon}-{_manifest(addon)['version']}-py3-none-any.whl" for addon in ADDONS
    }
    assert set(wheels) == expected


@pytest.mark.parametrize("addon", ADDONS)
def test_wheel_holds_the_addon_with_its_manifest(wheels, addon):
    archive = _wheel(wheels, addon)
    prefix = f"odoo/addons/{addon}/"
    manifest = ast.literal_eval(archive.read(prefix + "__manifest__.py").decode())
    assert manifest == _manifest(addon)
    names = set(archive.namelist())
    assert prefix + "__init__.py" in names
    listed = manifest.get("data", []) + manifest.get("demo", [])
    missing = [f for f in listed if prefix + f not in names]
    assert not missing, f"files of the manifest missing from the wheel: {missing}"
    assert prefix + "pyproject.toml" not in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


@pytest.mark.parametrize("addon", ADDONS)
def test_wheel_metadata(wheels, addon):
    manifest = _manifest(addon)
    metadata = _metadata(_wheel(wheels, addon))
    assert metadata["Name"] == f"odoo-addon-{addon}"
    assert metadata["Version"] == manifest["version"]
    assert metadata["License"] == manifest["license"]
    requires = metadata.get_all("Requires-Dist")
    assert "odoo==18.0.*" in requires
    for depend in manifest["depends"]:
        if (ROOT / "addons" / depend).is_dir():  # ours: a wheel dependency
            assert f"odoo-addon-{depend}==18.0.*" in requires
