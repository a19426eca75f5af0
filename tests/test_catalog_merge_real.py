"""The merge driver on real projects' catalogs (tests/fixtures/real-catalogs):
a merge changes only what one side changed, keeps every translation either
side holds, and tells git about each conflict. Each test is one of the ways
issue 23 found the driver losing people's work."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from traduco.catalogs.blocks import CatalogText

REAL = Path(__file__).parent / "fixtures" / "real-catalogs"


def real(name: str) -> str:
    return (REAL / name).read_text(encoding="utf-8")


def entry_block(text: str, msgid: str, obsolete: bool = False):
    catalog = CatalogText.parse(text)
    return next(b for b in catalog.blocks if b.msgid == msgid and b.obsolete == obsolete), catalog


def edit(text: str, msgid: str, change) -> str:
    """`text` with one entry changed as a PO editor changes it: that entry
    rewritten, every other byte as it was."""
    block, catalog = entry_block(text, msgid)
    entry = polib.pofile('msgid ""\nmsgstr ""\n\n' + block.text)[0]
    change(entry)
    block.lines = entry.__unicode__(wrapwidth=79).splitlines(keepends=True)
    return str(catalog)


def set_header(text: str, field: str, value: str) -> str:
    lines = text.splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.startswith(f'"{field}:'))
    lines[index] = f'"{field}: {value}\\n"\n'
    return "".join(lines)


def revise(text: str, who: str, when: str) -> str:
    return set_header(set_header(text, "Last-Translator", who), "PO-Revision-Date", when)


def merge(tmp: Path, base: str, ours: str, theirs: str, name: str = "x.po") -> tuple[int, str, str]:
    """The driver as git runs it: a fresh process on %O %A %B %P; (exit, result, stderr)."""
    paths = []
    for label, text in (("base", base), ("ours", ours), ("theirs", theirs)):
        path = tmp / f"{label}.{name}"
        path.write_bytes(text.encode("utf-8"))      # as it is: line ends too
        paths.append(path)
    done = subprocess.run([sys.executable, "-m", "traduco.catalogs.merge", *map(str, paths), name],
                          capture_output=True, text=True)
    return done.returncode, paths[1].read_bytes().decode("utf-8"), done.stderr


def msgfmt_ok(tmp: Path, text: str) -> None:
    path = tmp / "check.po"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def entries(text: str) -> dict:
    return {(e.msgctxt, e.msgid, bool(e.obsolete)): e for e in polib.pofile(text, wrapwidth=0)}


def changed_lines(before: str, after: str) -> list[str]:
    import difflib
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), n=0, lineterm="")
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


@pytest.fixture(autouse=True)
def gettext_tools():
    if shutil.which("msgfmt") is None or shutil.which("msgmerge") is None:
        pytest.fail("GNU gettext (msgfmt, msgmerge) is needed: it judges what the driver writes")


# 1 ---------------------------------------------------------------------------

def test_both_sides_changing_a_plural_entry_is_a_conflict_git_hears_of(tmp_path):
    base = real("django-admin.zh_Hans.po")
    msgid = "%(count)s %(name)s was changed successfully."
    ours = edit(base, msgid, lambda e: e.msgstr_plural.update({0: "已成功修改 %(count)s 个 %(name)s。"}))
    theirs = edit(base, msgid, lambda e: e.msgstr_plural.update({0: "%(count)s 个 %(name)s 已修改。"}))

    code, result, err = merge(tmp_path, base, ours, theirs)

    entry = entries(result)[(None, msgid, False)]
    assert code == 1 and "differ" in err
    assert "fuzzy" in entry.flags
    kept = {entry.msgstr_plural[0]} | {line for line in entry.tcomment.splitlines()}
    assert "已成功修改 %(count)s 个 %(name)s。" in " ".join(kept)
    assert "%(count)s 个 %(name)s 已修改。" in " ".join(kept)
    msgfmt_ok(tmp_path, result)


# 2 ---------------------------------------------------------------------------

def test_an_approval_does_not_beat_an_improvement(tmp_path):
    msgid = "Delete selected %(verbose_name_plural)s"
    base = edit(real("django-admin.it.po"), msgid, lambda e: e.flags.insert(0, "fuzzy"))
    ours = edit(base, msgid, lambda e: e.flags.remove("fuzzy"))                  # approved as it was
    theirs = edit(base, msgid, lambda e: setattr(e, "msgstr", "Elimina gli elementi %(verbose_name_plural)s "
                                                              "selezionati"))   # improved, still a draft

    code, result, err = merge(tmp_path, base, ours, theirs)

    entry = entries(result)[(None, msgid, False)]
    assert entry.msgstr == "Elimina gli elementi %(verbose_name_plural)s selezionati"
    assert "fuzzy" in entry.flags and code == 1 and "differ" in err


# 3 ---------------------------------------------------------------------------

def _template_update(tmp: Path, base: str, old: str, new: str) -> str:
    """What a translator's side gets from `msgmerge --previous` against a
    template in which `old` became `new` (the real msgmerge)."""
    (tmp / "base.po").write_text(base, encoding="utf-8")
    template = polib.pofile(base, wrapwidth=79)
    for entry in template:
        entry.msgstr, entry.msgstr_plural = "", {k: "" for k in entry.msgstr_plural}
        entry.flags = [f for f in entry.flags if f != "fuzzy"]
        entry.previous_msgid = None
        if entry.msgid == old:
            entry.msgid = new
    template.save(str(tmp / "new.pot"))
    subprocess.run(["msgmerge", "--quiet", "--previous", "-o", str(tmp / "theirs.po"), str(tmp / "base.po"),
                    str(tmp / "new.pot")], check=True)
    return (tmp / "theirs.po").read_text(encoding="utf-8")


@pytest.mark.parametrize("draft", [True, False], ids=["fuzzy-base-no-previous", "approved-base-with-previous"])
def test_an_edit_follows_its_entry_through_a_template_update(tmp_path, draft):
    old = "Select %s to change"
    new = "Select the %s to change"
    base = real("django-admin.zh_Hans.po")
    if draft:
        base = edit(base, old, lambda e: e.flags.insert(0, "fuzzy"))
    ours = edit(base, old, lambda e: (setattr(e, "msgstr", "选择要修改的 %s"),
                                      e.flags.remove("fuzzy") if "fuzzy" in e.flags else None))
    theirs = _template_update(tmp_path, base, old, new)
    updated = entries(theirs)[(None, new, False)]
    assert (updated.previous_msgid == old) is not draft      # msgmerge's own behaviour, both ways

    code, result, err = merge(tmp_path, base, ours, theirs)

    merged = entries(result)
    assert merged[(None, new, False)].msgstr == "选择要修改的 %s"
    assert "fuzzy" in merged[(None, new, False)].flags      # its source changed: a reviewer looks
    assert code == 0, err
    msgfmt_ok(tmp_path, result)


# 4 ---------------------------------------------------------------------------

def test_obsolete_twins_are_kept(tmp_path):
    active = "Delete selected %(verbose_name_plural)s"
    base = real("django-admin.it.po").rstrip("\n") + (
        f'\n\n#~ msgid "{active}"\n#~ msgstr "Cancella %(verbose_name_plural)s scelti"\n'
        '\n#~ msgid "Bye"\n#~ msgstr "Addio"\n\n#~ msgid "Bye"\n#~ msgstr "Arrivederci"\n')
    ours = edit(base, "Run the selected action", lambda e: setattr(e, "msgstr", "Esegui questa azione"))
    theirs = edit(base, "Go", lambda e: setattr(e, "msgstr", "Vai!"))

    code, result, _ = merge(tmp_path, base, ours, theirs)

    for text in ("Cancella %(verbose_name_plural)s scelti", "Addio", "Arrivederci", "Esegui questa azione",
                 "Vai!", "Cancella %(verbose_name_plural)s selezionati"):
        assert f'"{text}"' in result
    assert code == 0


# 5 ---------------------------------------------------------------------------

def test_identical_sides_give_their_bytes_back(tmp_path):
    base = real("django-cms.zh.po")          # untranslated #~ entries, obsolete ones among active ones
    ours = theirs = revise(base, "Wang <wang@example.org>", "2026-03-01 10:00+0800")

    code, result, _ = merge(tmp_path, base, ours, theirs)

    assert (code, result) == (0, ours)


def test_a_merge_makes_no_change_neither_side_made(tmp_path):
    base = real("django-cms.zh.po")
    ours = revise(edit(base, "Pages", lambda e: setattr(e, "msgstr", "页面列表")),
                  "Li <li@example.org>", "2026-03-01 10:00+0800")
    theirs = revise(edit(base, "Create Page", lambda e: setattr(e, "msgstr", "新建网页")),
                    "Wang <wang@example.org>", "2026-03-02 09:00+0800")

    code, result, _ = merge(tmp_path, base, ours, theirs)

    # Theirs' entry and theirs' revision fields (the newer), nothing else, as git would show it.
    assert sorted(changed_lines(ours, result)) == sorted([
        '-msgstr "创建页面"', '+msgstr "新建网页"',
        '-"Last-Translator: Li <li@example.org>\\n"', '+"Last-Translator: Wang <wang@example.org>\\n"',
        '-"PO-Revision-Date: 2026-03-01 10:00+0800\\n"', '+"PO-Revision-Date: 2026-03-02 09:00+0800\\n"'])
    assert code == 0


def test_the_header_is_left_as_the_one_side_that_changed_it(tmp_path):
    base = real("django-admin.it.po")        # a wrapped Language-Team line, a `#` line
    ours = edit(base, "Go", lambda e: setattr(e, "msgstr", "Vai!"))
    theirs = revise(edit(base, "Run the selected action", lambda e: setattr(e, "msgstr", "Esegui l'azione")),
                    "Rossi <rossi@example.org>", "2026-03-02 09:00+0100")

    code, result, _ = merge(tmp_path, base, ours, theirs)

    assert result.split("\nmsgid", 2)[:2] == theirs.split("\nmsgid", 2)[:2] and code == 0


# 6 ---------------------------------------------------------------------------

def test_wrapping_survives_a_blank_line_in_the_leading_comment(tmp_path):
    base = real("django-admin.it.po").replace("#\n# Translators:", "#\n\n# Translators:", 1)
    ours = edit(base, "Go", lambda e: setattr(e, "msgstr", "Vai!"))
    theirs = edit(base, "Run the selected action", lambda e: setattr(e, "msgstr", "Esegui l'azione"))

    code, result, _ = merge(tmp_path, base, ours, theirs)

    assert changed_lines(ours, result) == ['-msgstr "Esegui l\'azione selezionata"',
                                           '+msgstr "Esegui l\'azione"'] and code == 0


# 7 ---------------------------------------------------------------------------

@pytest.mark.parametrize("name, msgid", [("humanize.id_ID.po", "MB"), ("humanize.pot", "thousand")],
                         ids=["charset=ASCII", "xgettext charset=CHARSET"])
def test_catalogs_in_any_charset_git_hands_are_merged(tmp_path, name, msgid):
    base = real(name)
    ours = edit(base, msgid, lambda e: setattr(e, "tcomment", "checked by Ana"))
    theirs = base.replace("# SOME DESCRIPTIVE TITLE.", "# The humanize catalog.") if "TITLE" in base else \
        revise(base, "Budi <budi@example.org>", "2026-03-02 09:00+0700")
    assert theirs != base

    code, result, err = merge(tmp_path, base, ours, theirs, name=name)

    assert code == 0, err
    assert "# checked by Ana" in result and changed_lines(theirs, result) == changed_lines(base, ours)


# a catalog with nothing in it --------------------------------------------------

def test_an_empty_catalog_merges(tmp_path):
    text = real("humanize.id_ID.po")
    assert merge(tmp_path, "", "", text)[:2] == (0, text)
    assert merge(tmp_path, text, "", text)[:2] == (0, "")
    assert merge(tmp_path, "", "", "")[:2] == (0, "")


# git itself --------------------------------------------------------------------

def repository(tmp: Path, base: str):
    """A git repository using the driver, with `base` committed as zh.po on main; its git."""
    def git(*args):
        return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                              cwd=tmp, capture_output=True, text=True)
    git("init", "-q", "-b", "main")
    git("config", "merge.traduco.driver", f"{sys.executable} -m traduco.catalogs.merge %O %A %B %P")
    (tmp / ".gitattributes").write_text("*.po merge=traduco\n")
    (tmp / "zh.po").write_text(base, encoding="utf-8")
    git("add", "."), git("commit", "-qm", "base")
    return git


def test_git_merge_reports_the_conflict_and_leaves_a_valid_catalog(tmp_path):
    base = real("django-admin.zh_Hans.po")
    msgid = "%(count)s %(name)s was changed successfully."
    git = repository(tmp_path, base)
    git("checkout", "-qb", "translator")
    (tmp_path / "zh.po").write_text(edit(base, msgid, lambda e: e.msgstr_plural.update({0: "甲"})), "utf-8")
    git("commit", "-qam", "translator")
    git("checkout", "-q", "main")
    (tmp_path / "zh.po").write_text(edit(base, msgid, lambda e: e.msgstr_plural.update({0: "乙"})), "utf-8")
    git("commit", "-qam", "reviewer")

    merged = git("merge", "translator")

    text = (tmp_path / "zh.po").read_text(encoding="utf-8")
    assert merged.returncode != 0 and "CONFLICT" in merged.stdout
    assert "<<<<<<<" not in text and "甲" in text and "乙" in text
    msgfmt_ok(tmp_path, text)


def test_a_catalog_saved_on_windows_keeps_its_line_ends_and_a_latin_1_one_its_charset(tmp_path):
    base = real("django-admin.zh_Hans.po").replace("\n", "\r\n")
    ours = base.replace('msgstr "执行"', 'msgstr "执行甲"')
    theirs = base.replace('msgstr "执行"', 'msgstr "执行乙"')

    code, result, _ = merge(tmp_path, base, ours, theirs)

    assert code == 1 and "\n" not in result.replace("\r\n", "") and "执行甲" in result and "执行乙" in result
    latin = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=ISO-8859-1\\n"\n\nmsgid "a"\nmsgstr "caffè"\n'
    paths = [tmp_path / name for name in ("b.po", "o.po", "t.po")]
    for path, text in zip(paths, (latin, latin + '\nmsgid "b"\nmsgstr "più"\n', latin.replace("caffè", "caffé"))):
        path.write_bytes(text.encode("latin-1"))
    done = subprocess.run([sys.executable, "-m", "traduco.catalogs.merge", *map(str, paths)], capture_output=True)
    assert done.returncode == 0 and paths[1].read_bytes().decode("latin-1").endswith(
        'msgstr "caffé"\n\nmsgid "b"\nmsgstr "più"\n')


@pytest.mark.parametrize("saved_as", ["utf-16", "binary"])
def test_a_side_that_is_no_text_catalog_is_a_conflict_not_a_silent_merge(tmp_path, saved_as):
    """Notepad's "Unicode" (UTF-16) or a binary (a .mo) committed as the .po:
    the driver merged it as text, git said "merged" and committed a catalog
    msgfmt refuses (UTF-16 bytes pasted in), or dropped that side's change."""
    base = real("django-admin.zh_Hans.po")
    git = repository(tmp_path, base)
    git("checkout", "-qb", "notepad")
    theirs = base.replace('msgstr "执行"', 'msgstr "执行乙"')
    if saved_as == "utf-16":
        (tmp_path / "zh.po").write_bytes(theirs.encode("utf-16"))
    else:
        subprocess.run(["msgfmt", "-o", str(tmp_path / "zh.po"), "-"], input=theirs.encode(), check=True)
    git("commit", "-qam", "saved in another format")
    git("checkout", "-q", "main")
    ours = base.replace('msgstr "执行"', 'msgstr "执行甲"')
    (tmp_path / "zh.po").write_text(ours, encoding="utf-8")
    git("commit", "-qam", "reviewer")

    merged = git("merge", "notepad")

    assert merged.returncode != 0 and "CONFLICT" in merged.stdout
    assert "not a text catalog" in merged.stderr + merged.stdout
    assert (tmp_path / "zh.po").read_text(encoding="utf-8") == ours
