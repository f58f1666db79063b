//! `kap lsp`: a Language Server Protocol server for rule files, on standard input and output.
//!
//! It keeps the text of each open document as the editor edits it (incremental sync, UTF-16
//! positions) and gives what the checker knows where the author types: diagnostics (the same
//! as `kap check`), hover, go to definition, find references, completion, document symbols
//! and formatting (`kap fmt`'s layout).
//!
//! Messages are read as soon as they arrive, and handled in order. A document is checked
//! again only when no message is waiting: a burst of edits is checked once, after its last
//! edit, and a request that arrives during a burst is answered from the latest text.

mod complete;
mod diagnostics;
mod features;
mod hover;
mod text;
mod transport;

use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{self as note, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{PublishDiagnosticsParams, Uri};
use serde::de::DeserializeOwned;
use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;
use std::sync::mpsc::Sender;

/// Runs the server until the editor sends `exit` (status 0 after `shutdown`, else 1) or
/// closes its end.
pub fn run() -> ExitCode {
    let transport = match transport::stdio() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("kap lsp: cannot start: {e}");
            return ExitCode::from(2);
        }
    };
    let mut server = Server { sender: Some(transport.sender), ..Server::default() };
    let code = loop {
        let Ok(first) = transport.receiver.recv() else { break ExitCode::from(1) };
        if let Some(code) = server.handle(first) {
            break code;
        }
        let mut ended = None;
        while let Ok(message) = transport.receiver.try_recv() {
            ended = server.handle(message);
            if ended.is_some() {
                break;
            }
        }
        if let Some(code) = ended {
            break code;
        }
        server.publish();
    };
    drop(server);
    if transport.writer.join().is_err() {
        eprintln!("kap lsp: the writer stopped abnormally");
    }
    code
}

/// An open document.
struct Document {
    /// Its URI, as the editor named it.
    uri: Uri,
    /// Its text, with every edit applied.
    text: String,
}

/// The server's state.
#[derive(Default)]
struct Server {
    /// Where messages to the editor go.
    sender: Option<Sender<Message>>,
    /// Open documents by URI.
    documents: BTreeMap<String, Document>,
    /// Documents edited since they were last checked.
    stale: BTreeSet<String>,
    /// Whether `initialize` was answered.
    initialized: bool,
    /// Whether `shutdown` was received.
    shut_down: bool,
}

impl Server {
    /// Handles one message; `Some(status)` when the server must end.
    fn handle(&mut self, message: Message) -> Option<ExitCode> {
        match message {
            Message::Request(request) => {
                let response = self.request(request);
                self.send(response.into());
                None
            }
            Message::Notification(n) if n.method == note::Exit::METHOD => {
                Some(if self.shut_down { ExitCode::SUCCESS } else { ExitCode::from(1) })
            }
            Message::Notification(n) => {
                if self.initialized && !self.shut_down {
                    self.notification(n);
                }
                None
            }
            Message::Response(_) => None,
        }
    }

    fn send(&self, message: Message) {
        if let Some(sender) = &self.sender {
            // The writer only stops when the editor has gone; nothing is left to tell it.
            let _ = sender.send(message);
        }
    }

    /// The answer to a request.
    fn request(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        if request.method == req::Initialize::METHOD {
            if self.initialized {
                return error(id, ErrorCode::InvalidRequest, "initialize was already received");
            }
            self.initialized = true;
            return ok(id, features::initialize_result());
        }
        if !self.initialized {
            return error(id, ErrorCode::ServerNotInitialized, "initialize first");
        }
        if self.shut_down {
            return error(id, ErrorCode::InvalidRequest, "the server is shutting down");
        }
        match request.method.as_str() {
            req::Shutdown::METHOD => {
                self.shut_down = true;
                ok(id, serde_json::Value::Null)
            }
            req::HoverRequest::METHOD => self.answer(request, |d, p: lsp_types::HoverParams| {
                hover::hover(&d.text, p.text_document_position_params.position)
            }),
            req::GotoDefinition::METHOD => self.answer(request, |d, p: lsp_types::GotoDefinitionParams| {
                features::definition(&d.uri, &d.text, p.text_document_position_params.position)
            }),
            req::References::METHOD => {
                self.answer(request, |d, p: lsp_types::ReferenceParams| features::references(&d.uri, &d.text, &p))
            }
            req::Completion::METHOD => self.answer(request, |d, p: lsp_types::CompletionParams| {
                complete::complete(&d.text, p.text_document_position.position)
            }),
            req::DocumentSymbolRequest::METHOD => {
                self.answer(request, |d, _: lsp_types::DocumentSymbolParams| features::symbols(&d.text))
            }
            req::Formatting::METHOD => {
                self.answer(request, |d, _: lsp_types::DocumentFormattingParams| features::format(&d.text))
            }
            _ => error(id, ErrorCode::MethodNotFound, &format!("kap lsp does not answer {}", request.method)),
        }
    }

    /// Reads a request's parameters, finds its document and answers with `f`.
    fn answer<P, R>(&self, request: Request, f: impl FnOnce(&Document, P) -> R) -> Response
    where
        P: DeserializeOwned + HasDocument,
        R: serde::Serialize,
    {
        let id = request.id.clone();
        let params: P = match serde_json::from_value(request.params) {
            Ok(p) => p,
            Err(e) => return error(id, ErrorCode::InvalidParams, &format!("invalid parameters: {e}")),
        };
        match self.documents.get(params.uri().as_str()) {
            Some(document) => ok(id, f(document, params)),
            None => error(id, ErrorCode::InvalidParams, &format!("{} is not open", params.uri().as_str())),
        }
    }

    /// Follows the documents the editor opens, edits and closes.
    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            note::DidOpenTextDocument::METHOD => {
                if let Some(p) = params::<lsp_types::DidOpenTextDocumentParams>(n) {
                    let key = p.text_document.uri.as_str().to_string();
                    self.documents
                        .insert(key.clone(), Document { uri: p.text_document.uri, text: p.text_document.text });
                    self.stale.insert(key);
                }
            }
            note::DidChangeTextDocument::METHOD => {
                if let Some(p) = params::<lsp_types::DidChangeTextDocumentParams>(n) {
                    let key = p.text_document.uri.as_str().to_string();
                    if let Some(document) = self.documents.get_mut(&key) {
                        text::apply(&mut document.text, p.content_changes);
                        self.stale.insert(key);
                    }
                }
            }
            note::DidCloseTextDocument::METHOD => {
                if let Some(p) = params::<lsp_types::DidCloseTextDocumentParams>(n) {
                    let key = p.text_document.uri.as_str().to_string();
                    self.stale.remove(&key);
                    if self.documents.remove(&key).is_some() {
                        self.publish_for(p.text_document.uri, Vec::new());
                    }
                }
            }
            _ => {}
        }
    }

    /// Checks each document edited since its last check and sends its diagnostics.
    fn publish(&mut self) {
        for key in std::mem::take(&mut self.stale) {
            if let Some(document) = self.documents.get(&key) {
                let found = diagnostics::check(&document.uri, &document.text);
                self.publish_for(document.uri.clone(), found);
            }
        }
    }

    fn publish_for(&self, uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>) {
        let params = PublishDiagnosticsParams { uri, diagnostics, version: None };
        match serde_json::to_value(params) {
            Ok(value) => {
                self.send(Notification { method: note::PublishDiagnostics::METHOD.into(), params: value }.into())
            }
            Err(e) => eprintln!("kap lsp: cannot write diagnostics: {e}"),
        }
    }
}

/// A notification's parameters; logged and `None` when they are not what its method takes.
fn params<P: DeserializeOwned>(n: Notification) -> Option<P> {
    serde_json::from_value(n.params)
        .map_err(|e| eprintln!("kap lsp: ignored {}: invalid parameters: {e}", n.method))
        .ok()
}

/// A successful answer.
fn ok(id: RequestId, result: impl serde::Serialize) -> Response {
    match serde_json::to_value(result) {
        Ok(value) => Response { id, response_result: Ok(value) },
        Err(e) => error(id, ErrorCode::InternalError, &e.to_string()),
    }
}

/// An error answer.
fn error(id: RequestId, code: ErrorCode, message: &str) -> Response {
    Response::new_err(id, code as i32, message.to_string())
}

/// Request parameters that name a document.
trait HasDocument {
    /// The document's URI.
    fn uri(&self) -> &Uri;
}

macro_rules! has_document {
    ($($type:ty => |$p:ident| $uri:expr;)*) => {$(
        impl HasDocument for $type {
            fn uri(&self) -> &Uri {
                let $p = self;
                &$uri
            }
        }
    )*};
}

has_document! {
    lsp_types::HoverParams => |p| p.text_document_position_params.text_document.uri;
    lsp_types::GotoDefinitionParams => |p| p.text_document_position_params.text_document.uri;
    lsp_types::ReferenceParams => |p| p.text_document_position.text_document.uri;
    lsp_types::CompletionParams => |p| p.text_document_position.text_document.uri;
    lsp_types::DocumentSymbolParams => |p| p.text_document.uri;
    lsp_types::DocumentFormattingParams => |p| p.text_document.uri;
}
