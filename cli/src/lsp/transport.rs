//! The server's standard input and output: `Content-Length` framed JSON-RPC messages, read and
//! written as `lsp_server` messages by two threads.
//!
//! `lsp_server::Connection::stdio` ends the connection at the first malformed message and
//! allocates whatever length a header claims. The server must survive both, so the reader
//! here frames the input itself, with a bound on a message's length, and hands each message's
//! JSON to `lsp_server::Message`; a message that cannot be read is logged on standard error
//! and skipped, and the server reads on.

use lsp_server::Message;
use std::io::{BufRead, Read as _};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;

/// The longest message read: a rule file is at most 1 MiB, and JSON can escape each of its
/// bytes in six.
const MAX_MESSAGE: usize = 8 * 1024 * 1024;

/// The two ends of the connection and the thread that writes.
pub struct Transport {
    /// Messages to the editor.
    pub sender: Sender<Message>,
    /// Messages from the editor, as soon as they are read (so that a burst of edits is
    /// waiting here when the server looks).
    pub receiver: Receiver<Message>,
    /// The writer, joined once every sender is dropped.
    pub writer: JoinHandle<()>,
}

/// Starts reading standard input and writing standard output.
pub fn stdio() -> std::io::Result<Transport> {
    let (to_server, receiver) = mpsc::channel();
    std::thread::Builder::new().name("kap-lsp-reader".into()).spawn(move || {
        let stdin = std::io::stdin();
        read_all(&mut stdin.lock(), &to_server);
    })?;
    let (sender, to_editor) = mpsc::channel::<Message>();
    let writer = std::thread::Builder::new().name("kap-lsp-writer".into()).spawn(move || {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        for message in to_editor {
            if let Err(e) = message.write(&mut out) {
                eprintln!("kap lsp: cannot write to the editor: {e}");
                break;
            }
        }
    })?;
    Ok(Transport { sender, receiver, writer })
}

/// Reads messages until the input ends, the server stops listening or `exit` arrives.
fn read_all(input: &mut impl BufRead, to_server: &Sender<Message>) {
    loop {
        let body = match frame(input) {
            Ok(Some(body)) => body,
            Ok(None) => return,
            Err(Skip::Malformed(why)) => {
                eprintln!("kap lsp: ignored a malformed message: {why}");
                continue;
            }
            Err(Skip::Closed(e)) => {
                eprintln!("kap lsp: cannot read from the editor: {e}");
                return;
            }
        };
        match serde_json::from_slice::<Message>(&body) {
            Ok(message) => {
                let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
                if to_server.send(message).is_err() || exit {
                    return;
                }
            }
            Err(e) => eprintln!("kap lsp: ignored a message that is not JSON-RPC: {e}"),
        }
    }
}

/// Why a message was not read.
enum Skip {
    /// Its header or length was wrong; the next message may still be read.
    Malformed(String),
    /// The input failed.
    Closed(std::io::Error),
}

/// The body of the next message; `None` at the end of the input.
fn frame(input: &mut impl BufRead) -> Result<Option<Vec<u8>>, Skip> {
    let mut length = None;
    let mut line = String::new();
    loop {
        line.clear();
        // A header line is short; a longer one is not a header.
        let read = input.by_ref().take(1024).read_line(&mut line).map_err(|e| match e.kind() {
            std::io::ErrorKind::InvalidData => Skip::Malformed("a header that is not UTF-8".into()),
            _ => Skip::Closed(e),
        })?;
        if read == 0 {
            return Ok(None);
        }
        let header = line.trim_end_matches(['\r', '\n']);
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<usize>().ok();
            }
        }
    }
    let Some(length) = length else { return Err(Skip::Malformed("no valid Content-Length".into())) };
    if length > MAX_MESSAGE {
        // Skip its body, so that the next message is read from its start.
        let _ = std::io::copy(&mut input.by_ref().take(length as u64), &mut std::io::sink());
        return Err(Skip::Malformed(format!("a message of {length} bytes, above {MAX_MESSAGE}")));
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body).map_err(Skip::Closed)?;
    Ok(Some(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &str) -> Vec<String> {
        let (tx, rx) = mpsc::channel();
        read_all(&mut input.as_bytes(), &tx);
        drop(tx);
        rx.iter()
            .map(|m| match m {
                Message::Request(r) => r.method,
                Message::Notification(n) => n.method,
                Message::Response(r) => format!("response {}", r.id),
            })
            .collect()
    }

    fn framed(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn malformed_messages_are_skipped() {
        let good = framed(r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#);
        let input = [
            framed("not json"),
            framed(r#"{"jsonrpc":"2.0","nothing":1}"#),
            good.clone(),
            "Content-Length: x\r\n\r\n".into(),
            framed(r#"{"jsonrpc":"2.0","method":"exit"}"#),
            good,
        ]
        .concat();
        assert_eq!(read(&input), ["shutdown", "exit"]);
        // A length far too large is skipped without reserving it.
        assert!(read("Content-Length: 99999999999\r\n\r\n{}").is_empty());
    }
}
