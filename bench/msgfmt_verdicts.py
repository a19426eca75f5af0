"""traduco's reader against GNU `msgfmt -c` on every .po under a folder.

Download real catalogs first (outside the repository), for example:

    pip download --no-deps -d /tmp/po Django humanize Sphinx wagtail django-allauth
    (unzip the wheels, untar the sdists)
    python bench/msgfmt_verdicts.py /tmp/po

Prints how many files both accept, both refuse, and each file where they
differ with traduco's reason, then the reasons traduco gave, counted.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from traduco.catalogs import pofile
from traduco.errors import CatalogError


def verdicts(folder: Path) -> None:
    agree, differ, reasons, took = Counter(), [], Counter(), 0.0
    for path in sorted(folder.rglob("*.po")):
        gnu = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True).returncode == 0
        start = time.perf_counter()
        try:
            pofile.read(path)
            ours = None
        except CatalogError as exc:
            ours = exc.what
        took += time.perf_counter() - start
        if gnu == (ours is None):
            agree["both accept" if gnu else "both refuse"] += 1
            if ours:
                reasons[": ".join(part.strip() for part in ours.split(":")[:2])[:80]] += 1
        else:
            differ.append(f"  {path}: msgfmt {'accepts' if gnu else 'refuses'}; traduco: {ours or 'accepts'}")
    total = sum(agree.values()) + len(differ)
    print(f"{total} catalogs: {agree['both accept']} both accept, {agree['both refuse']} both refuse, "
          f"{len(differ)} differ; traduco's reader took {took:.1f} s in all")
    print("\n".join(differ))
    for reason, count in reasons.most_common():
        print(f"{count:6}  {reason}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python bench/msgfmt_verdicts.py FOLDER")
    verdicts(Path(sys.argv[1]))
