"""The JSON-RPC layer, with the four changes bytelens needs from pygls 2.1.1's.

1. A request whose params do not convert to lsprotocol's types gets error -32602 (Invalid
   params). pygls raises while decoding the message, before it knows the request's id, so the
   client would wait for ever and the user would see an "Error in server" pop-up instead.
2. Text synchronisation is the server's own (``documents.py``): pygls's workspace is not given
   the documents' text, which spares a second copy of every buffer and a second line-splitting
   convention.
3. Nothing is served before ``initialize`` (LSP's rule, which pygls does not keep): a request
   gets error -32002 (ServerNotInitialized) and a notification is dropped, ``exit`` excepted.
   Over TCP the transport also requires the token before ``initialize`` is dispatched (tcp.py).
4. ``workspace/executeCommand`` runs its command as the request's own task. pygls runs commands
   behind a generator whose request future is not the command's task, so ``$/cancelRequest``
   answered the client but left the command (and its trace worker) running, and ``shutdown``
   failed with "dictionary changed size during iteration" while a command was pending.
"""

from __future__ import annotations

import inspect
import logging
from dataclasses import dataclass
from typing import Any

from cattrs import transform_error
from cattrs.errors import ClassValidationError
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.protocol import LanguageServerProtocol, lsp_method
from pygls.protocol.language_server import _prepare_command_arguments

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class InvalidRequest:
    """A request that could not be decoded: answered with an error, never dispatched."""

    id: Any
    method: str
    reason: str


def _explain(cause: BaseException | None) -> str:
    """cattrs's validation errors as short sentences (``invalid value ... @ $.position.line``)."""
    if isinstance(cause, ClassValidationError):
        return "; ".join(transform_error(cause))
    return str(cause) if cause is not None else "they do not match the method's parameters"


class BytelensProtocol(LanguageServerProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Set once ``initialize`` has been received: from then on everything is served.
        self.initialize_received = False

    def structure_message(self, data: dict[str, Any]):
        try:
            return super().structure_message(data)
        except JsonRpcInvalidParams as error:
            if "id" in data and "method" in data and "jsonrpc" in data:
                reason = f"Invalid params for {data['method']}: {_explain(error.__cause__)}"
                return InvalidRequest(data["id"], str(data["method"]), reason)
            raise

    def handle_message(self, message):
        if not self.initialize_received and not self._admit_before_initialize(message):
            return
        if isinstance(message, InvalidRequest):
            logger.warning("%s", message.reason)
            self._send_response(message.id, error=types.ResponseError(
                code=types.ErrorCodes.InvalidParams, message=message.reason))
            return
        return super().handle_message(message)

    def _admit_before_initialize(self, message: Any) -> bool:
        """Before ``initialize``: let it (and ``exit``) through, refuse requests, drop the rest."""
        method = getattr(message, "method", None)
        if method == types.INITIALIZE:
            self.initialize_received = True
            return True
        if method == types.EXIT:
            return True
        message_id = getattr(message, "id", None)
        if method is not None and message_id is not None:
            logger.warning("refused %s before initialize", method)
            self._send_response(message_id, error=types.ResponseError(
                code=types.ErrorCodes.ServerNotInitialized,
                message=f"the server is not initialized: {method} before initialize"))
        else:
            logger.warning("dropped %s before initialize", method or "a message")
        return False

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams):
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_OPEN)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams):
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams):
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CLOSE)) is not None:
            yield handler, (params,), None

    @lsp_method(types.WORKSPACE_EXECUTE_COMMAND)
    async def lsp_workspace__execute_command(self, params: types.ExecuteCommandParams) -> Any:
        handler = self.fm.commands.get(params.command)
        if handler is None:
            raise JsonRpcInvalidParams(f"Command name {params.command!r} is not defined")
        try:
            args, kwargs = _prepare_command_arguments(handler, params, self._converter)
        except Exception as error:
            raise JsonRpcInvalidParams(f"Invalid arguments for {params.command}: {error}") from None
        result = handler(*args, **kwargs)
        return await result if inspect.isawaitable(result) else result
