"""``python -m kg``: the same as the ``kg`` command."""

from kg.interfaces.cli import main

if __name__ == "__main__":  # not when a worker process (forkserver) imports the main module again
    raise SystemExit(main())
