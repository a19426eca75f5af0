"""An agency's XLIFF as a careless or hostile sender returns it (issue 29, tried
cold): stale units, files without their namespace, odd language tags, tricks in
TMX and TBX. Real files, real catalogs, `msgfmt -c` on what is written."""

from __future__ import annotations

import polib

from conftest import DOC
from helpers import msgfmt_check, run_cli
from test_exchange_xliff import cat_tool, catalog, drafted, entries, export, snapshot  # noqa: F401 (fixture)


def test_a_unit_the_agency_left_as_exported_does_not_undo_a_translators_draft(drafted, capsys):
    written = export(capsys, drafted, "--locale", "zh_CN", "--doc", DOC)
    cat = polib.pofile(str(catalog(drafted)), wrapwidth=0)
    cat[1].msgstr = "译者还在修改的草稿。"          # saved in Poedit, still "needs work"
    cat.save()
    cat_tool(written, {0: ("托斯卡纳继续在中国推广。", "final")})      # the agency touched only unit 0
    code, out, err = run_cli(capsys, "import-xliff", str(written), "-p", str(drafted))
    assert code == 0, err
    assert "1 approved, 0 needs-work draft(s)" in out
    new = entries(catalog(drafted))
    assert (new[1].msgstr, "fuzzy" in new[1].flags) == ("译者还在修改的草稿。", True)
    assert "was approved by a reviewer" not in out
    msgfmt_check(catalog(drafted))
