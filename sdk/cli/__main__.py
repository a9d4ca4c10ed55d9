"""`python -m sdk.cli`: the same as the `sdk` command."""

import sys

from sdk.cli.commands import main

sys.exit(main())
