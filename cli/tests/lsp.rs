//! `kap lsp` driven as an editor drives it: the real binary, over its standard input and
//! output, with `Content-Length` framed JSON-RPC messages, on a copy of the reference
//! protocol with deliberate mistakes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

const URI: &str = "file:///work/edited.kap";

/// An editor's end of the connection.
struct Editor {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
    /// Notifications received while waiting for an answer.
    pending: Vec<Value>,
}

impl Editor {
    fn start() -> Editor {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kap"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, messages) = mpsc::channel();
        std::thread::spawn(move || loop {
            let mut length = 0;
            loop {
                let mut line = String::new();
                if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(n) = line.strip_prefix("Content-Length: ") {
                    length = n.parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            stdout.read_exact(&mut body).unwrap();
            if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                return;
            }
        });
        Editor { child, stdin, messages, next_id: 1, pending: Vec::new() }
    }

    fn write_raw(&mut self, body: &str) {
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn send(&mut self, message: Value) {
        self.write_raw(&message.to_string());
    }

    fn receive(&mut self) -> Value {
        self.messages.recv_timeout(Duration::from_secs(60)).expect("no message from kap lsp within 60 s")
    }

    /// Sends a request and waits for its answer (the whole response).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let message = self.receive();
            if message["id"] == json!(id) {
                return message;
            }
            self.pending.push(message);
        }
    }

    /// The `result` of a request that must succeed.
    fn ask(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The next diagnostics published for the document.
    fn diagnostics(&mut self) -> Vec<Value> {
        loop {
            let message = if self.pending.is_empty() { self.receive() } else { self.pending.remove(0) };
            if message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == URI {
                return message["params"]["diagnostics"].as_array().unwrap().clone();
            }
        }
    }
}

/// The position `after` bytes into the first occurrence of `needle`.
fn at(text: &str, needle: &str, after: usize) -> Value {
    let offset = text.find(needle).unwrap_or_else(|| panic!("{needle} not in the document")) + after;
    position(text, offset)
}

/// The LSP position of a byte offset: a line and a column in UTF-16 code units.
fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": before[start..].encode_utf16().count()})
}

/// The reference protocol with three mistakes: a misspelt input (after non-ASCII text on
/// its line), a unit mismatch and a citation of an undeclared source.
fn edited() -> String {
    let text = std::fs::read_to_string(common::root().join(common::RULES)).unwrap();
    let edited = text
        .replacen(
            "exclude minor \"Younger than 18\"\n    when patient.age < 18 years [K2]",
            "exclude minor \"Younger than 18 (≤ 17, é)\" when patient.agee < 18 years [K2]",
            1,
        )
        .replacen("diastolic > 90 mmHg", "diastolic > 90 kg", 1)
        .replacen("when patient.psychotic_disorder_history [K1]", "when patient.psychotic_disorder_history [K99]", 1);
    assert_eq!(edited.matches("agee").count(), 1);
    assert!(edited.contains("90 kg") && edited.contains("[K99]"));
    edited
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics.iter().map(|d| d["code"].as_str().unwrap_or_default().to_string()).collect()
}

fn labels(items: &Value) -> Vec<String> {
    let items = items.as_array().or_else(|| items["items"].as_array()).unwrap();
    items.iter().map(|i| i["label"].as_str().unwrap().to_string()).collect()
}

fn open(editor: &mut Editor, text: &str) -> Vec<Value> {
    let init = editor.ask("initialize", json!({"processId": null, "rootUri": null, "capabilities": {}}));
    assert_eq!(init["capabilities"]["textDocumentSync"], json!(2), "{init}");
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    editor.notify("initialized", json!({}));
    editor.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "kap", "version": 1, "text": text}}),
    );
    editor.diagnostics()
}

#[test]
fn an_editing_session() {
    let mut editor = Editor::start();
    let mut text = edited();

    // Diagnostics on open: each mistake, at its place, with its code and hint.
    let found = open(&mut editor, &text);
    let codes_found = codes(&found);
    for code in ["unknown-name", "unit-mismatch", "unknown-source"] {
        assert!(codes_found.contains(&code.to_string()), "{code} not in {found:#?}");
    }
    let misspelt = found.iter().find(|d| d["code"] == "unknown-name").unwrap();
    assert_eq!(misspelt["range"]["start"], at(&text, "patient.agee", 0));
    assert_eq!(misspelt["range"]["end"], at(&text, "patient.agee", 12));
    assert_eq!(misspelt["severity"], 1);
    assert!(misspelt["message"].as_str().unwrap().contains("did you mean `patient.age`"), "{misspelt}");

    // An incremental edit fixes the misspelt name: its diagnostic goes, the others stay.
    let start = at(&text, "patient.agee", 11);
    let end = at(&text, "patient.agee", 12);
    let sent = Instant::now();
    editor.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2},
               "contentChanges": [{"range": {"start": start, "end": end}, "text": ""}]}),
    );
    let after = editor.diagnostics();
    eprintln!("diagnostics {} ms after the edit", sent.elapsed().as_millis());
    text = text.replacen("patient.agee", "patient.age", 1);
    assert!(!codes(&after).contains(&"unknown-name".to_string()), "{after:#?}");
    assert_eq!(after.len(), found.len() - 1, "{after:#?}");

    // Hover: an input's declaration, a source's title and URL, a rule's message, a body.
    let doc = json!({"uri": URI});
    let hover =
        editor.ask("textDocument/hover", json!({"textDocument": doc, "position": at(&text, "patient.age < 18", 3)}));
    let shown = hover["contents"]["value"].as_str().unwrap();
    for part in ["patient.age", "integer", "years", "0..120", "Age"] {
        assert!(shown.contains(part), "{part} not in {shown}");
    }
    let k2 = at(&text, "patient.age < 18 years [K2]", 24);
    let hover = editor.ask("textDocument/hover", json!({"textDocument": doc, "position": k2}));
    let shown = hover["contents"]["value"].as_str().unwrap();
    assert!(
        shown.contains("Journey Clinical: Eligibility for KAP") && shown.contains("https://journeyclinical"),
        "{shown}"
    );
    let hover =
        editor.ask("textDocument/hover", json!({"textDocument": doc, "position": at(&text, "exclude minor", 9)}));
    assert!(hover["contents"]["value"].as_str().unwrap().contains("Younger than 18 (≤ 17, é)"), "{hover}");
    let hover = editor
        .ask("textDocument/hover", json!({"textDocument": doc, "position": at(&text, "hypertensive(patient", 2)}));
    assert!(hover["contents"]["value"].as_str().unwrap().contains("diastolic > 90 kg"), "{hover}");

    // Go to definition and find references.
    let use_at = at(&text, "patient.age < 18", 2);
    let definition = editor.ask("textDocument/definition", json!({"textDocument": doc, "position": use_at}));
    assert_eq!(definition["range"]["start"], at(&text, "input patient.age:", 6), "{definition}");
    let references = editor.ask(
        "textDocument/references",
        json!({"textDocument": doc, "position": use_at, "context": {"includeDeclaration": true}}),
    );
    let references = references.as_array().unwrap();
    assert!(references.len() > 5, "{references:?}");
    assert!(references.iter().any(|r| r["range"]["start"] == at(&text, "patient.age < 65", 0)));
    let source = editor.ask("textDocument/definition", json!({"textDocument": doc, "position": k2}));
    assert_eq!(source["range"]["start"], at(&text, "source K2 ", 7));

    // Completion: members after a dot, a choice input's choices, source keys, units.
    let complete = |editor: &mut Editor, position: Value| {
        labels(&editor.ask("textDocument/completion", json!({"textDocument": doc, "position": position})))
    };
    let members = complete(&mut editor, at(&text, "patient.mood_episode in", 8));
    assert!(members.contains(&"age".into()) && members.contains(&"weight".into()), "{members:?}");
    assert!(!members.iter().any(|m| m.contains('.')), "{members:?}");
    let choices = complete(&mut editor, at(&text, "patient.mood_episode in {", 25));
    assert_eq!(choices, ["none", "depressive", "manic", "hypomanic", "mixed"]);
    let keys = complete(&mut editor, at(&text, "patient.age < 18 years [K2]", 24));
    assert!(keys.contains(&"K2".into()) && keys.contains(&"S1".into()) && !keys.contains(&"K99".into()), "{keys:?}");
    let units = complete(&mut editor, at(&text, "< 18 years", 5));
    assert!(units.contains(&"years".into()) && units.contains(&"mmHg".into()), "{units:?}");

    // Document symbols: the decisions with their rules, the inputs, the definitions.
    let symbols = editor.ask("textDocument/documentSymbol", json!({"textDocument": doc}));
    let symbols = symbols.as_array().unwrap();
    let named = |name: &str| symbols.iter().find(|s| s["name"] == name).unwrap_or_else(|| panic!("no symbol {name}"));
    let eligibility = named("eligibility");
    assert!(eligibility["children"].as_array().unwrap().iter().any(|c| c["name"] == "minor"));
    assert_eq!(named("patient.age")["selectionRange"]["start"], at(&text, "input patient.age:", 6));
    named("hypertensive");
    named("ketamine");

    // Formatting: one edit giving `kap fmt`'s layout back.
    let messy = text.replacen("  exclude mania \"", "  exclude   mania  \"", 1);
    editor.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 3}, "contentChanges": [{"text": messy}]}),
    );
    let edits = editor
        .ask("textDocument/formatting", json!({"textDocument": doc, "options": {"tabSize": 2, "insertSpaces": true}}));
    let edits = edits.as_array().unwrap();
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0]["newText"], text);
    assert_eq!(edits[0]["range"]["start"], json!({"line": 0, "character": 0}));

    // A malformed message and an unknown request are answered or skipped, never fatal.
    editor.write_raw("{not json");
    let unknown = editor.request("kap/unknown", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    let bad = editor.request("textDocument/hover", json!({"position": "nowhere"}));
    assert_eq!(bad["error"]["code"], -32602, "{bad}");

    // Shutdown, then exit: status 0.
    assert_eq!(editor.request("shutdown", Value::Null)["result"], Value::Null);
    editor.notify("exit", Value::Null);
    let status = editor.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn exit_without_shutdown_is_status_1_and_requests_wait_for_initialize() {
    let mut editor = Editor::start();
    let early = editor.request("textDocument/hover", json!({}));
    assert_eq!(early["error"]["code"], -32002, "{early}");
    editor.notify("exit", Value::Null);
    assert_eq!(editor.child.wait().unwrap().code(), Some(1));
}
