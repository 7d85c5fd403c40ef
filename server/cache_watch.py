"""The cache state of open files, kept current without polling: ``bytelens/cacheState``.

The server sends a document's state (``cache_view.cache_state``) when it is opened and saved, and
when one of its cache files changes on disk. For the last, it asks the client to watch
``__pycache__`` folders and their files (``workspace/didChangeWatchedFiles``, registered
dynamically when the client can) and maps each change back to the open sources it belongs to. The
folders themselves are watched too: a watcher that reports a new folder before it watches inside
it (Neovim's on Linux) still says that the cache files appeared. Thin adapters over
``cache_view``; ``app.py`` registers them.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from lsprotocol import types
from pygls.uris import to_fs_path

from bytelens.server import cache_view

CACHE_STATE_NOTIFICATION = "bytelens/cacheState"
WATCH_REGISTRATION_ID = "bytelens.cache.watch"
WATCH_PATTERNS = ("**/__pycache__", "**/__pycache__/*")


def can_watch(capabilities: types.ClientCapabilities) -> bool:
    workspace = capabilities.workspace
    watched = workspace.did_change_watched_files if workspace else None
    return bool(watched and watched.dynamic_registration)


async def register_watchers(ls: Any) -> None:
    """Ask the client to report changes in every ``__pycache__`` folder (if it can)."""
    if not can_watch(ls.client_capabilities):
        ls.log("the client cannot watch files: the cache state updates on open and save only")
        return
    options = types.DidChangeWatchedFilesRegistrationOptions(
        watchers=[types.FileSystemWatcher(glob_pattern=pattern) for pattern in WATCH_PATTERNS])
    try:
        await ls.client_register_capability_async(types.RegistrationParams(registrations=[types.Registration(
            id=WATCH_REGISTRATION_ID, method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options)]))
    except Exception as error:  # the client refused: open and save still update the state
        ls.log(f"the client did not watch {', '.join(WATCH_PATTERNS)}: {error}", types.MessageType.Warning)


#: The state sends in flight (the event loop keeps only weak references to tasks).
_sending: set[asyncio.Task] = set()


def send_state_soon(ls: Any, uri: str) -> None:
    """``send_state`` from a plain (synchronous) handler such as didOpen's."""
    task = asyncio.ensure_future(send_state(ls, uri))
    _sending.add(task)
    task.add_done_callback(_sending.discard)


async def send_state(ls: Any, uri: str) -> None:
    """Send ``bytelens/cacheState`` for ``uri`` (a file on disk; other URIs have no cache files)."""
    path = to_fs_path(uri)
    if not path or not os.path.isfile(path):
        return
    state = await ls.run_off_loop(cache_view.cache_state, path, uri)
    ls.protocol.notify(CACHE_STATE_NOTIFICATION, state)


async def on_did_save(ls: Any, params: types.DidSaveTextDocumentParams) -> None:
    await send_state(ls, params.text_document.uri)


async def on_watched_files_changed(ls: Any, params: types.DidChangeWatchedFilesParams) -> None:
    """A cache file was created, changed or deleted: send the state of each open source it is for."""
    changed = [path for path in (to_fs_path(change.uri) for change in params.changes) if path]
    sources = {to_fs_path(document.uri): document.uri for document in ls.documents}
    sources.pop(None, None)
    affected = await ls.run_off_loop(cache_view.sources_affected, changed, list(sources))
    for path in affected:
        await send_state(ls, sources[path])
