#!/usr/bin/env python3
"""心得录 entry point: python build.py [command]. See README.md."""

import sys

from xindelu.cli import main

if __name__ == "__main__":
    sys.exit(main())
