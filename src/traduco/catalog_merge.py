"""`python -m traduco.catalog_merge`: the merge driver as `traduco init-git`
registered it before the package was grouped by workflow step. Clones
configured then keep merging catalogs entry by entry after an upgrade; new
ones name `traduco.catalogs.merge` (see `traduco.git.repository`)."""

import sys

from traduco.catalogs.merge import main

if __name__ == "__main__":
    sys.exit(main())
