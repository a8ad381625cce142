#!/usr/bin/env python3
"""心得录 entry point: python build.py [command]. See README.md."""

from xindelu.commands.cli import exit_now, main

if __name__ == "__main__":
    exit_now(main())
