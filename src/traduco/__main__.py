"""`traduco` and `python -m traduco`: the command, and a Ctrl-C during its first
seconds (loading typer, rich and the library) said in words, not a traceback."""

import sys


def entry() -> None:
    try:
        from traduco.cli import main
    except KeyboardInterrupt:
        sys.stderr.write("Stopped while starting: nothing was done, nothing was saved.\n")
        sys.exit(130)
    sys.exit(main())


if __name__ == "__main__":
    entry()
