"""Static chart rendering through ONE shared kaleido/Chromium session.

Starting Chromium and loading plotly.js into it costs seconds; rendering a chart
in a warm session costs about half a second. So the process keeps one session
on a background event loop and every export (a single chart, or all pages of a
report pack) goes through it. The session is opened lazily, can be warmed up in
the background while the caller queries the database (:func:`warm_up`), and is
discarded and reopened if the browser dies.

Chromium is found through ``BROWSER_PATH`` (kaleido's own variable). When it is
unset and Debian's ``/usr/bin/chromium`` exists, that one is used. When there is
no browser, :class:`ChromiumUnavailable` is raised at once with the fix in its
message; callers offer the interactive HTML export instead.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import os
import shutil
import threading
from pathlib import Path
from typing import Any, Literal

BROWSER_ENV = "BROWSER_PATH"
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
OTHER_BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = (
    "Install Chromium (`apt-get install chromium`) or set BROWSER_PATH to a Chrome/Chromium "
    "executable; meanwhile export the chart as interactive HTML instead."
)
STARTUP_TIMEOUT_SECONDS = 60
RENDER_TIMEOUT_SECONDS = 60
RELOAD_EVERY = 25  # renders between page reloads in the shared browser tab

ImageFormat = Literal["png", "svg", "pdf"]
IMAGE_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")


class ChromiumUnavailable(RuntimeError):
    """No usable browser for static export; ``str()`` names the fix and the HTML fallback."""


def find_chromium() -> Path:
    """The browser kaleido will drive, or :class:`ChromiumUnavailable` at once.

    ``BROWSER_PATH`` wins when set (and must point at an executable). Unset, Debian's
    ``/usr/bin/chromium`` is used and written into ``BROWSER_PATH`` so that kaleido
    and choreographer agree on it; failing that, a Chrome/Chromium on ``PATH``.
    """
    configured = os.environ.get(BROWSER_ENV, "").strip()
    if configured:
        path = Path(configured).expanduser()
        if path.is_file() and os.access(path, os.X_OK):
            return path
        raise ChromiumUnavailable(
            f"Chart export needs Chromium, but BROWSER_PATH={configured!r} is not an "
            f"executable file. {INSTALL_HINT}"
        )
    if DEBIAN_CHROMIUM.is_file() and os.access(DEBIAN_CHROMIUM, os.X_OK):
        os.environ[BROWSER_ENV] = str(DEBIAN_CHROMIUM)
        return DEBIAN_CHROMIUM
    for name in OTHER_BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise ChromiumUnavailable(f"Chart export needs Chromium and none was found. {INSTALL_HINT}")


def chromium_available() -> bool:
    """Whether static (PNG/SVG/PDF) export can run; cheap, starts nothing."""
    try:
        find_chromium()
    except ChromiumUnavailable:
        return False
    return True


class RenderSession:
    """One kaleido browser with its own event loop on a daemon thread.

    Opening starts immediately in the background; :meth:`render` waits for it.
    Renders from several threads (Streamlit sessions) are queued by kaleido's tab
    queue on the one loop, so they are safe to issue concurrently.
    """

    def __init__(self, browser: Path) -> None:
        self.browser = browser
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="cxdash-kaleido", daemon=True
        )
        self._thread.start()
        self._opened: concurrent.futures.Future = asyncio.run_coroutine_threadsafe(
            self._open(), self._loop
        )
        self.renders = 0

    async def _open(self) -> Any:
        # mathjax=False: kaleido would otherwise fetch MathJax from a CDN at every start.
        browser = _reusing_kaleido_class()(
            n=1, timeout=RENDER_TIMEOUT_SECONDS, mathjax=False, path=str(self.browser)
        )
        await browser.open()
        return browser

    def _browser(self) -> Any:
        try:
            return self._opened.result(timeout=STARTUP_TIMEOUT_SECONDS)
        except concurrent.futures.TimeoutError:
            raise ChromiumUnavailable(
                f"Chromium at {self.browser} did not start within {STARTUP_TIMEOUT_SECONDS} s. "
                f"{INSTALL_HINT}"
            ) from None
        except Exception as exc:
            raise ChromiumUnavailable(
                f"Chromium at {self.browser} failed to start ({_first_line(exc)}). {INSTALL_HINT}"
            ) from exc

    def render(
        self, figure: dict, *, fmt: ImageFormat, width: int, height: int, scale: float
    ) -> bytes:
        """The figure (a plotly figure dict) as ``fmt`` bytes."""
        browser = self._browser()
        opts = {"format": fmt, "width": width, "height": height, "scale": scale}
        future = asyncio.run_coroutine_threadsafe(browser.calc_fig(figure, opts=opts), self._loop)
        data = future.result(timeout=RENDER_TIMEOUT_SECONDS + 5)
        self.renders += 1
        return data

    @property
    def alive(self) -> bool:
        if not self._thread.is_alive():
            return False
        if not self._opened.done():
            return True  # still starting
        if self._opened.exception() is not None:
            return False
        process = getattr(self._opened.result(), "subprocess", None)
        return process is None or process.poll() is None

    def close(self) -> None:
        if self._opened.done() and self._opened.exception() is None:
            close = asyncio.run_coroutine_threadsafe(self._opened.result().close(), self._loop)
            with contextlib.suppress(Exception):  # a dead browser has nothing left to close
                close.result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)


def _reusing_kaleido_class() -> type:
    """kaleido's browser, reloading its tab every RELOAD_EVERY renders instead of after each.

    kaleido reloads the page -- and so re-parses the 4.7 MB plotly.js -- after every
    figure, which is most of the time a render takes (about 0.6 s of 0.8 s here). Its
    renderer draws each figure into a fresh element, so reusing the page gives the same
    bytes (checked on PNG/SVG/PDF of alternating figures); an occasional reload still
    bounds whatever the page accumulates. If a kaleido version lacks the hook, its own
    behaviour is kept.
    """
    import kaleido

    base = kaleido.Kaleido
    if not hasattr(base, "_return_kaleido_tab"):
        return base

    class ReusingKaleido(base):
        _renders_since_reload = 0

        async def _return_kaleido_tab(self, tab) -> None:
            self._renders_since_reload += 1
            if self._renders_since_reload >= RELOAD_EVERY:
                self._renders_since_reload = 0
                await super()._return_kaleido_tab(tab)
            else:
                await self.tabs_ready.put(tab)

    return ReusingKaleido


_session: RenderSession | None = None
_session_lock = threading.Lock()


def render_session() -> RenderSession:
    """The process's shared session, opened on first use (fails fast without Chromium)."""
    global _session
    browser = find_chromium()  # a stat call: a removed browser is reported, not waited on
    with _session_lock:
        if _session is not None and _session.alive and _session.browser == browser:
            return _session
        if _session is not None:
            _session.close()
        _session = RenderSession(browser)
        return _session


def warm_up() -> bool:
    """Start the browser in the background so a later render does not wait for it.

    Returns False (and starts nothing) when no Chromium is available.
    """
    try:
        render_session()
    except ChromiumUnavailable:
        return False
    return True


def render(figure: dict, *, fmt: ImageFormat, width: int, height: int, scale: float) -> bytes:
    """Render through the shared session; a session whose browser died is replaced once."""
    session = render_session()
    try:
        return session.render(figure, fmt=fmt, width=width, height=height, scale=scale)
    except ChromiumUnavailable:
        raise
    except Exception:
        if session.alive:
            raise  # the figure is at fault, not the browser
        return render_session().render(figure, fmt=fmt, width=width, height=height, scale=scale)


def close_session() -> None:
    """Stop the shared browser (tests, and at interpreter exit)."""
    global _session
    with _session_lock:
        if _session is not None:
            _session.close()
            _session = None


atexit.register(close_session)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
