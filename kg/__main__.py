"""``python -m kg``: the same as the ``kg`` command."""

from kg.interfaces.cli import main

raise SystemExit(main())
