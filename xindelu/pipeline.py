"""The build, phase by phase. The only module that knows the order of the phases.

load config → load and validate content → site model → render pages → render PDFs → write
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .config import SiteConfig, load_config
from .content import Content, load_content
from .errors import ContentError, ContentErrors


@dataclass(frozen=True)
class BuildOptions:
    root: Path
    today: dt.date
    future: bool = False
    pdf: bool = True


@dataclass(frozen=True)
class CheckResult:
    config: SiteConfig | None
    content: Content | None
    errors: tuple[ContentError, ...]
    warnings: tuple[ContentError, ...] = field(default=())


def check(options: BuildOptions) -> CheckResult:
    """Load and validate everything; build nothing."""
    try:
        config = load_config(options.root)
    except ContentErrors as exc:
        return CheckResult(None, None, tuple(exc.errors))
    content = load_content(options.root, config)
    return CheckResult(config, content, content.errors, content.warnings)
