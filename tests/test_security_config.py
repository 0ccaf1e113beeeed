"""Security: nothing is executed from config or theme files; they are data, parsed strictly.

Each payload (Python, shell, template and YAML-tag injections) would create a file in a
canary directory if anything ran it. Every payload goes into every text setting of the config
file and into every field of a theme file; the loaders either reject it with a one-line
reason or keep it as the very same plain string, and the canary directory stays empty, also
after the real CLI has started with such a config (the embedded server is started with the
payload as its data dir: an argument list, no shell). A static check of the source proves
there is no eval/exec/compile, no shell, no pickle/marshal/YAML loader anywhere in the
package, and that the one subprocess is started from an argument list.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tui_market import paths
from tui_market.errors import ConfigError
from tui_market.settings import Settings, load_settings
from tui_market.tui.theme_state import saved_theme
from tui_market.tui.themes import load_themes

ROOT = Path(__file__).resolve().parents[1]
TEXT_SETTINGS = (
    "mongodb_uri",
    "database",
    "data_dir",
    "provider",
    "interval",
    "tv_ws_url",
    "tv_username",
    "tv_password",
    "tv_signin_url",
    "theme",
    "log_level",
)


def payloads(canary: Path) -> list[str]:
    c = str(canary)
    return [
        f"__import__('os').system('touch {c}/py-system')",
        f"__import__('pathlib').Path('{c}/py-path').touch()",
        f"exec(\"open('{c}/py-exec', 'w')\")",
        f"$(touch {c}/sh-subst)",
        f"`touch {c}/sh-backtick`",
        f"x; touch {c}/sh-semicolon",
        f"x && touch {c}/sh-and | touch {c}/sh-pipe",
        f"{{{{ cycler.__init__.__globals__.os.popen('touch {c}/jinja') }}}}",
        f"${{{{touch {c}/dollar-brace}}}}",
        f"!!python/object/apply:os.system ['touch {c}/yaml']",
        f"%(touch {c}/percent)s",
        "red; import os",
        "[@click=app.quit]boom[/]",
    ]


def toml_string(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid TOML basic string for this text


@pytest.fixture
def canary(tmp_path: Path) -> Path:
    folder = tmp_path / "canary"
    folder.mkdir()
    return folder


def value_of(settings: Settings, key: str) -> object:
    value = getattr(settings, key)
    return value.get_secret_value() if hasattr(value, "get_secret_value") else value


def test_config_values_are_plain_strings_or_refused(tmp_path: Path, canary: Path) -> None:
    config = tmp_path / "config.toml"
    kept = refused = 0
    for payload in payloads(canary):
        for key in TEXT_SETTINGS:
            config.write_text(f"{key} = {toml_string(payload)}\n")
            try:
                settings = load_settings(config)
            except ConfigError as exc:
                refused += 1
                assert "\n" not in str(exc) and str(config) in str(exc)
            else:
                kept += 1
                want = Path(payload).expanduser() if key == "data_dir" else payload
                assert value_of(settings, key) == want, (key, payload)
        config.write_text(f"watchlist = [{toml_string(payload)}]\n")
        with pytest.raises(ConfigError):
            load_settings(config)
        config.write_text(f"{toml_string(payload)} = 1\n")  # a payload as a key
        with pytest.raises(ConfigError, match="unknown key"):
            load_settings(config)
    config.write_text(f"theme = !!python/object/apply:os.system ['touch {canary}/tag']\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_settings(config)
    assert kept and refused  # both outcomes were exercised
    assert list(canary.iterdir()) == []


def test_theme_files_keep_payloads_as_text_or_skip_the_file(canary: Path) -> None:
    folder = paths.themes_dir()
    folder.mkdir(parents=True)
    fields = ("name", "primary", "background", "dark", "variables.price-up", "variables.my-var")
    for n, payload in enumerate(payloads(canary)):
        for m, field in enumerate(fields):
            lines = {"name": '"t"', "primary": '"#00aa00"'}
            key = field.removeprefix("variables.")
            if field.startswith("variables."):
                body = "\n".join(f"{k} = {v}" for k, v in lines.items())
                body += f"\n[variables]\n{key} = {toml_string(payload)}\n"
            else:
                lines[field] = toml_string(payload)
                body = "\n".join(f"{k} = {v}" for k, v in lines.items()) + "\n"
            body = body.replace('name = "t"', f'name = "t{n}-{m}"')
            (folder / f"t{n}-{m}.toml").write_text(body)
    found = load_themes(folder)
    user = [t for t in found.themes if t.name.startswith("t")]
    assert len(found.problems) + len(user) == len(payloads(canary)) * len(fields)
    for theme in user:  # what loaded holds the payload verbatim, as a CSS variable's text
        odd = {k: v for k, v in theme.variables.items() if k == "my-var"}
        assert all(v in payloads(canary) for v in odd.values()), odd
    assert all(p.startswith(f"{folder}/t") for p in found.problems)
    assert list(canary.iterdir()) == []


def test_the_saved_theme_choice_is_plain_text(canary: Path) -> None:
    state = paths.config_dir() / "state.json"
    state.parent.mkdir(parents=True)
    for payload in payloads(canary):
        state.write_text(json.dumps({"theme": payload}))
        assert saved_theme() == payload
    assert list(canary.iterdir()) == []


def test_the_cli_runs_with_a_payload_config_and_runs_nothing(
    tmp_path: Path,
    canary: Path,
) -> None:
    config = tmp_path / "config.toml"
    data_dir = tmp_path / f"data $(touch {canary}/data-dir) `touch {canary}/data-dir2`"
    config.write_text(
        "\n".join(
            [
                f"data_dir = {toml_string(str(data_dir))}",
                f"theme = {toml_string(payloads(canary)[0])}",
                f"tv_username = {toml_string(payloads(canary)[3])}",
                f"tv_ws_url = {toml_string('ws://127.0.0.1:9/' + payloads(canary)[4])}",
                f"database = {toml_string('payload_db')}",
            ]
        )
        + "\n"
    )
    script = str(Path(sys.executable).parent / "tui-market")
    for args in (["locate"], ["symbols", "list"]):
        done = subprocess.run(
            [script, "--config", str(config), *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env=dict(os.environ),
        )
        assert done.returncode == 0, done.stderr
    assert (data_dir / "db").is_dir()  # the payload was only ever a directory name
    assert list(canary.iterdir()) == []


_BUILTINS = {"eval", "exec", "compile", "__import__", "breakpoint"}
_OS_RUNNERS = ("system", "popen", "exec", "spawn", "posix_spawn", "fork")
_FORBIDDEN_MODULES = {
    "pickle",
    "marshal",
    "shelve",
    "yaml",
    "dill",
    "jinja2",
    "runpy",
    "pty",
    "code",
    "codeop",
}


def _problems(path: Path, where: str) -> tuple[list[str], list[tuple[str, ast.Call]]]:
    """Forbidden calls and imports in one file, and its subprocess/import_module calls."""
    bad: list[str] = []
    watched: list[tuple[str, ast.Call]] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import | ast.ImportFrom):
            module = getattr(node, "module", None) or ""
            for alias in node.names:
                full = f"{module}.{alias.name}" if module else alias.name
                if {full.split(".")[0], alias.name} & _FORBIDDEN_MODULES or (
                    module == "os" and alias.name.startswith(_OS_RUNNERS)
                ):
                    bad.append(f"{where}:{node.lineno}: import {full}")
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        base = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if (not base and name in _BUILTINS) or (base == "builtins" and name in _BUILTINS):
            bad.append(f"{where}:{node.lineno}: {name}()")
        if base == "os" and name.startswith(_OS_RUNNERS):
            bad.append(f"{where}:{node.lineno}: os.{name}()")
        if any(k.arg == "shell" for k in node.keywords):
            bad.append(f"{where}:{node.lineno}: shell=")
        if (
            base == "subprocess"
            or (base == "asyncio" and "subprocess" in name)
            or (base == "importlib" and name == "import_module")
        ):
            watched.append((f"{where}: {base}.{name}", node))
    return bad, watched


def test_the_package_has_no_eval_exec_shell_or_code_loader() -> None:
    bad: list[str] = []
    watched: list[tuple[str, ast.Call]] = []
    for path in sorted((ROOT / "tui_market").rglob("*.py")):
        found, calls = _problems(path, str(path.relative_to(ROOT)))
        bad += found
        watched += calls
    assert bad == []
    # The embedded server is the one subprocess, started from a list (no shell, no string),
    # and nothing is imported by a name computed at run time.
    names = sorted(w for w, _ in watched)
    assert len(names) == 1, names
    assert names[0].startswith("tui_market/infrastructure/"), names
    assert names[0].endswith(": subprocess.Popen"), names
    for where, call in watched:
        first = call.args[0]
        assert isinstance(first, ast.Name), (where, ast.dump(first))
