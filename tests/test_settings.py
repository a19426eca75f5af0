"""[tool.traduco] settings: each mistake is one line naming pyproject.toml, the
key and what it expects, exit code 2; right settings load as before."""

from __future__ import annotations

import re

import pytest

from helpers import run_cli
from traduco.errors import ConfigError
from traduco.project.loading import load_project
from traduco.project.settings import SettingsError


def settings(folder, text: str):
    (folder / "pyproject.toml").write_text(text, encoding="utf-8")
    return folder


# (settings, the key as the message names it, what the message says is expected)
MISTAKES = [
    ('[tool.traduco]\nbatch_size = "ten"\n', "[tool.traduco] batch_size", "whole number"),
    ('[tool.traduco]\nrequire_approval = "false"\n', "[tool.traduco] require_approval", "true or false"),
    ('[tool.traduco]\nlocales = "zh_CN"\n', "[tool.traduco] locales", 'locales = ["zh_CN", "en"]'),
    ('[tool.traduco]\nlocale = ["zh_CN"]\n', "[tool.traduco] has no setting 'locale'", "did you mean 'locales'"),
    ('[tool.traduco]\nlocales = ["zh-CN", "en"]\n', "[tool.traduco] locales", "write 'zh_CN'"),
    ('[tool.traduco]\nlocales = ["xx_YY"]\n', "[tool.traduco] locales", "unknown locale 'xx_YY'"),
    ('[tool.traduco]\nlocales = ["zh_CN", "en_UK"]\n', "[tool.traduco] locales", "write 'en_GB'"),  # babel's alias
    ('[tool.traduco]\nlocales = ["zh_CN", "iw"]\n', "[tool.traduco] locales", "write 'he'"),
    ('[tool.traduco]\ncatalogs = "../elsewhere"\n', "[tool.traduco] catalogs", "outside the project"),
    ('[tool.traduco]\ntask_runner = "celery"\n', "[tool.traduco] task_runner", '"threads" (the default) or "dask"'),
    ('[tool.traduco.mt.providers.deepl]\nconnections = 0\n',
     "[tool.traduco.mt.providers.deepl] connections", "at least 1"),
    ('[tool.traduco.mt]\nmax_attempts = 2.5\n', "[tool.traduco.mt] max_attempts", "whole number"),
    ('[tool.traduco.mt.chains]\nzh_cn = ["google"]\n', "[tool.traduco.mt.chains] zh_cn", "zh_CN, en"),
    ('[tool.traduco.web]\nfeed = ["https://example.org/rss"]\n',
     "[tool.traduco.web] has no setting 'feed'", "did you mean 'feeds'"),
    ('[tool.traduco.git]\npush_attempts = "3"\n', "[tool.traduco.git] push_attempts", "at least 1"),
    ('[tool.traduco.schedule]\ntranslte = "0 * * * *"\n',
     "[tool.traduco.schedule] has no setting 'translte'", "did you mean 'translate'"),
    ('[tool.traduco]\nmt = "google"\n', "[tool.traduco.mt] must be a table", 'not "google"'),
    ('[tool.traduco.provider]\nname = "gogle"\n', "[tool.traduco.provider] name: unknown provider 'gogle'",
     "(did you mean 'google'?). Known providers: google, deepl, libre"),
    ('[tool.traduco.mt]\nchain = ["google", "deeple"]\n', "[tool.traduco.mt] chain: unknown provider 'deeple'",
     "(did you mean 'deepl'?). Known providers: google, deepl"),
    ('[tool.traduco.mt.chains]\nen = "deeple"\n', "[tool.traduco.mt.chains] en: unknown provider 'deeple'",
     "did you mean 'deepl'"),
    ('[tool.traduco.mt]\nsecond_opinion = "deeple"\n', "[tool.traduco.mt] second_opinion: unknown provider",
     "did you mean 'deepl'"),
    ('[tool.traduco.mt.providers.deeple]\nconnections = 1\n', "[tool.traduco.mt.providers.deeple]: unknown provider",
     "did you mean 'deepl'"),
    ('[tool.traduco.mt]\nchain = ["libre"]\n', "[tool.traduco.mt.providers.libre] url is missing",
     'Set url = "http://host:port/" there'),
]


@pytest.mark.parametrize("text, key, expected", MISTAKES, ids=[m[1] for m in MISTAKES])
def test_a_settings_mistake_is_one_line_naming_the_key_and_what_it_expects(tmp_path, capsys, text, key, expected):
    settings(tmp_path, text)
    code, out, err = run_cli(capsys, "check", "--project", str(tmp_path))
    assert code == 2, err
    assert err.count("\n") == 1 and "unexpected error" not in err
    assert f"{tmp_path / 'pyproject.toml'}: {key}" in err and expected in err


def test_several_mistakes_are_all_named(tmp_path):
    settings(tmp_path, '[tool.traduco]\nbatch_size = 0\ndask_workers = "4"\n[tool.traduco.mt]\nbackoff_seconds = -1\n')
    with pytest.raises(ConfigError) as error:
        load_project(tmp_path)
    message = error.value.message
    assert "[tool.traduco] batch_size" in message and "dask_workers" in message
    assert "[tool.traduco.mt] backoff_seconds" in message and message.count("\n") == 0


def test_right_settings_load_into_the_project_as_before(tmp_path):
    settings(tmp_path, '[tool.traduco]\nlocales = ["en"]\nbatch_size = 10\ncatalogs = "po"\nrequire_approval = true\n'
                       '[tool.traduco.provider]\nname = "Libre"\nurl = "http://127.0.0.1:5000/"\n'
                       '[tool.traduco.mt]\ndeadline_seconds = 5\n'
                       '[tool.traduco.mt.chains]\nen = "deepl"\n'
                       '[tool.traduco.mt.providers.deepl]\nconnections = 1\nbudget_characters = 1000\n'
                       '[tool.traduco.web]\nfeeds = ["https://example.org/rss"]\n'
                       '[tool.traduco.git]\nbranch = "main"\n')
    project = load_project(tmp_path)
    assert project.locales == ("en",) and project.batch_size == 10 and project.name == tmp_path.name
    assert project.catalogs_dir == tmp_path / "po" and project.require_approval is True
    assert project.mt.chain == ("libre",) and project.mt.chain_for("en") == ("deepl",)
    assert project.mt.deadline_seconds == 5.0 and project.mt.provider("libre").url == "http://127.0.0.1:5000/"
    assert project.mt.provider("deepl").connections == 1 and project.mt.provider("deepl").budget_characters == 1000
    assert project.web == {"feeds": ["https://example.org/rss"]} and project.git == {"branch": "main"}
    assert project.schedule == {} and project.fuzzy_threshold == 75.0


def test_locale_option_picks_configured_locales_in_any_spelling(project):
    assert load_project(project, locales=["zh-cn"]).locales == ("zh_CN",)
    assert load_project(project, locales=["EN", "zh_CN", "en"]).locales == ("en", "zh_CN")


def test_locale_option_refuses_a_locale_the_project_does_not_have(project, capsys):
    code, _, err = run_cli(capsys, "run", "--project", str(project), "--locale", "zh_TW",
                           "--provider", "libre", "--provider-url", "http://127.0.0.1:9/")
    assert code == 2 and "'zh_TW' is not one of this project's locales: zh_CN, en" in err
    assert not (project / "locales").exists() and not (project / ".traduco").exists()


@pytest.mark.parametrize("command", [["check"], ["status"], ["run", "--provider", "libre",
                                                              "--provider-url", "http://127.0.0.1:9/"]])
def test_outside_a_project_a_command_says_so_and_creates_nothing(tmp_path, capsys, monkeypatch, command):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "not-traduco"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, *command)
    assert code == 2 and err.count("\n") == 1
    assert f"no traduco project in {tmp_path} or any folder above it" in err and "[tool.traduco]" in err
    assert "error(s)" not in out and sorted(p.name for p in tmp_path.iterdir()) == ["pyproject.toml"]


@pytest.mark.parametrize("command", ["status", "check"])
def test_a_misspelt_provider_stops_status_and_check_too(project, capsys, command):
    settings(project, '[tool.traduco]\n[tool.traduco.mt]\nsecond_opinion = "deeple"\n')
    code, out, err = run_cli(capsys, command, "--project", str(project))
    assert code == 2 and err.count("\n") == 1 and "did you mean 'deepl'" in err and out == ""


def test_a_misspelt_provider_option_is_refused_by_the_library_too(project):
    with pytest.raises(SettingsError) as error:
        load_project(project, provider="deepl,gogle")
    assert error.value.message.startswith("--provider deepl,gogle: unknown provider 'gogle' (did you mean 'google'?)")
    assert load_project(project, provider=" Deepl ,google").mt.chain == ("deepl", "google")


def test_a_missing_key_is_asked_for_only_when_mt_is_used(project, capsys, monkeypatch):
    """status and check need no key; run says which variable or Secret block to set, exit 2, before any work."""
    for variable in ("DEEPL_AUTH_KEY", "TRADUCO_DEEPL_AUTH_KEY"):
        monkeypatch.delenv(variable, raising=False)
    settings(project, '[tool.traduco]\n[tool.traduco.mt]\nchain = ["deepl"]\n')
    assert run_cli(capsys, "status", "--project", str(project))[0] == 0
    assert run_cli(capsys, "check", "--project", str(project))[0] == 0

    code, _, err = run_cli(capsys, "run", "--project", str(project), "--no-sync")

    assert code == 2 and err.count("\n") == 1
    assert "the deepl provider needs DEEPL_AUTH_KEY" in err and "Prefect Secret block named deepl-auth-key" in err
    assert not (project / "locales").exists()


@pytest.mark.parametrize("key", ["sources", "public", "catalogs"])
@pytest.mark.parametrize("folder", ["../elsewhere", "/srv/www"])
def test_a_folder_outside_the_project_is_refused_when_the_project_loads(tmp_path, key, folder):
    """Before: `public = "../pub"` was written to at the first publish; then runs
    stopped with exit 1 and advice to remove a link that was not there."""
    settings(tmp_path, f'[tool.traduco]\n{key} = "{folder}"')
    with pytest.raises(SettingsError, match=re.escape(f'{key} = "{folder}" is outside the project')):
        load_project(tmp_path)


@pytest.mark.parametrize("git, key", [('remote = "https://press:S3cretPass99@git.example.org/r.git"', "remote"),
                                      ('author = "bob"', "author")])
def test_a_wrong_git_setting_exits_2_before_any_work(tmp_path, capsys, git, key):
    settings(tmp_path, f"[tool.traduco]\n[tool.traduco.git]\n{git}")
    code, out, err = run_cli(capsys, "status", "--project", str(tmp_path))
    assert code == 2 and f"[tool.traduco.git] {key}" in err and out == "", out + err
    assert "S3cretPass99" not in out + err
