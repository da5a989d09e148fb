"""Which files a mapping may name: its lookups (and, for ``import-dir``, its data file).

A mapping is data, and data can come from someone else: a mapping pasted into the Data
page once named ``[[lookups]] file = "/etc/passwd"`` and showed the server's files on the
Feedback page. So a mapping's file names are resolved inside a :class:`FileScope` -- the
mapping's folder and the data's folder on the command line, the files uploaded together
on the Data page -- and names that are absolute or climb out of it (``..``, or a link
that leads elsewhere) are refused with the mapping's line, unless the person at the
command line allows it (``--allow-lookups-outside``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePath

from dashboard.i18n import N_, _
from dashboard.ingest.read import FileRejected

CLI_ADVICE = N_("copy it there, or pass --allow-lookups-outside")


@dataclass(frozen=True)
class FileScope:
    """The folders a mapping's file names resolve in, and whether they may leave them."""

    roots: tuple[Path, ...]
    allow_outside: bool = False
    advice: str = CLI_ADVICE  # how to bring a file into scope (N_-marked; said when refused)
    label: str | None = None  # the roots in words, instead of their paths (the Data page)

    @classmethod
    def of(cls, folders: Iterable[Path | None], **options) -> FileScope:
        """A scope over the given folders (None skipped, duplicates once, order kept)."""
        roots: list[Path] = []
        for folder in folders:
            if folder is not None and Path(folder).resolve() not in roots:
                roots.append(Path(folder).resolve())
        return cls(roots=tuple(roots), **options)

    def describe(self) -> str:
        return self.label or ", ".join(str(r) for r in self.roots)

    def resolve(self, name: str, where: str, what: str | None = None) -> Path:
        """The file ``name`` names: the first root that holds it.

        ``where`` is the mapping and line that names it (``orders.toml:12``); ``what``
        says which kind of file it is in messages ("lookup file" by default).
        """
        what = what or _("lookup file")
        if self.allow_outside:
            return self._find(name, where, what)
        if PurePath(name).is_absolute() or Path(name).expanduser().is_absolute():
            raise FileRejected(
                _(
                    "{where}: {what} {name!r} is an absolute path; a mapping may only name "
                    "files in {roots} ({advice})"
                ).format(
                    where=where, what=what, name=name, roots=self.describe(), advice=_(self.advice)
                )  # fmt: skip
            )
        inside = [
            root / name for root in self.roots if (root / name).resolve().is_relative_to(root)
        ]
        if not inside:  # '..' (or a link) leads out of every folder in scope
            raise FileRejected(
                _(
                    "{where}: {what} {name!r} leads outside {roots}; a mapping may only name "
                    "files in those folders ({advice})"
                ).format(
                    where=where, what=what, name=name, roots=self.describe(), advice=_(self.advice)
                )  # fmt: skip
            )
        for candidate in inside:
            if candidate.exists():
                return candidate
        raise self._not_found(name, where, what)

    def _find(self, name: str, where: str, what: str) -> Path:
        candidate = Path(name).expanduser()
        if candidate.is_absolute():
            if candidate.exists():
                return candidate
        else:
            for root in self.roots:
                if (root / candidate).exists():
                    return root / candidate
        raise self._not_found(name, where, what)

    def _not_found(self, name: str, where: str, what: str) -> FileRejected:
        return FileRejected(
            _("{where}: {what} {name!r} not found in {roots} ({advice})").format(
                where=where, what=what, name=name, roots=self.describe(), advice=_(self.advice)
            )
        )
