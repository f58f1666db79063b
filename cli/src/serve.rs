//! `kap serve`: a tiny static file server for the web form, std only.
//!
//! It binds 127.0.0.1 and nothing else, serves the files under one directory (GET and HEAD),
//! with the content types a browser needs to run the form (`application/wasm` above all),
//! refuses any path that would leave the directory (`..`, encoded or not, symbolic links
//! pointing out, hidden files), and never panics: a bad request gets a 4xx answer and the
//! server goes on. The form itself does all its work in the page; the server only hands out
//! files, so patient data never reaches it.

use std::fs;
use std::io::{self, BufRead as _, BufReader, Read as _, Write as _};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

/// How long a connection may stay silent before it is dropped.
const TIMEOUT: Duration = Duration::from_secs(10);
/// The longest request head (request line and headers) accepted.
const MAX_HEAD: u64 = 16 * 1024;

/// Serves the files under `dir` on `http://127.0.0.1:port/` until the process is stopped.
/// Port 0 picks a free port; the URL printed on standard output names the real one. Each
/// connection is answered on its own thread, so a browser's idle speculative connections do
/// not hold up the others.
///
/// Returns an error when `dir` is not a directory or the port cannot be bound.
pub fn serve(dir: &Path, port: u16) -> io::Result<()> {
    let root = fs::canonicalize(dir).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", dir.display())))?;
    if !root.is_dir() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("{} is not a directory", dir.display())));
    }
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))?;
    let bound = listener.local_addr()?;
    outln!("kap: serving {} at http://{bound}/ (only this machine can connect; Ctrl-C stops)", dir.display());
    if !root.join("index.html").is_file() {
        eprintln!("kap: warning: {} has no index.html (build the form with scripts/web-build)", dir.display());
    }
    io::stdout().flush()?;
    for stream in listener.incoming() {
        match stream {
            Ok(stream) => {
                let root = root.clone();
                let spawned = std::thread::Builder::new().name("kap-serve".into()).spawn(move || {
                    if let Err(e) = answer(stream, &root) {
                        let quiet = [
                            io::ErrorKind::BrokenPipe,
                            io::ErrorKind::ConnectionReset,
                            io::ErrorKind::WouldBlock,
                            io::ErrorKind::TimedOut,
                        ];
                        if !quiet.contains(&e.kind()) {
                            eprintln!("kap: connection: {e}");
                        }
                    }
                });
                if let Err(e) = spawned {
                    eprintln!("kap: cannot start a connection thread: {e}");
                }
            }
            Err(e) => eprintln!("kap: accept: {e}"),
        }
    }
    Ok(())
}

/// An HTTP answer: status, reason and the body or the file to send.
#[derive(Debug, PartialEq, Eq)]
enum Reply {
    File(PathBuf),
    Error(u16, &'static str),
}

/// Reads one request from `stream` and answers it; the connection is then closed.
fn answer(stream: TcpStream, root: &Path) -> io::Result<()> {
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    let mut reader = BufReader::new(stream.try_clone()?.take(MAX_HEAD));
    let mut request_line = String::new();
    if reader.read_line(&mut request_line)? == 0 {
        return Ok(()); // a connection opened and closed without a request
    }
    // Read (and ignore) the headers, up to the blank line.
    let mut complete = false;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            break;
        }
        if line == "\r\n" || line == "\n" {
            complete = true;
            break;
        }
    }
    let mut words = request_line.split_whitespace();
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let reply = if !complete {
        Reply::Error(400, "Bad Request")
    } else if method != "GET" && method != "HEAD" {
        Reply::Error(405, "Method Not Allowed")
    } else {
        resolve(root, target)
    };
    let mut out = stream;
    send(&mut out, &reply, method == "HEAD")
}

/// Maps a request target to a file under `root`, or to the error to answer.
fn resolve(root: &Path, target: &str) -> Reply {
    let Some(path) = target.strip_prefix('/') else {
        return Reply::Error(400, "Bad Request");
    };
    let path = path.split(['?', '#']).next().unwrap_or("");
    let Some(decoded) = percent_decode(path) else {
        return Reply::Error(400, "Bad Request");
    };
    if decoded.contains(['\\', '\0']) {
        return Reply::Error(403, "Forbidden");
    }
    let mut relative = PathBuf::new();
    for segment in decoded.split('/') {
        if segment.is_empty() {
            continue; // `//` or a trailing `/`
        }
        // `..` and `.` are refused, as are hidden files (`.git`...).
        if segment.starts_with('.') {
            return Reply::Error(403, "Forbidden");
        }
        relative.push(segment);
    }
    if relative.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Reply::Error(403, "Forbidden");
    }
    let mut candidate = root.join(&relative);
    if candidate.is_dir() {
        candidate.push("index.html");
    }
    // Resolve symbolic links, then make sure the file is still under the root.
    match fs::canonicalize(&candidate) {
        Ok(real) if !real.starts_with(root) => Reply::Error(403, "Forbidden"),
        Ok(real) if real.is_file() => Reply::File(real),
        _ => Reply::Error(404, "Not Found"),
    }
}

/// Decodes `%XX` escapes; `None` when an escape is malformed or the result is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.bytes();
    while let Some(b) = rest.next() {
        if b == b'%' {
            let hi = hex(rest.next()?)?;
            let lo = hex(rest.next()?)?;
            bytes.push(hi * 16 + lo);
        } else {
            bytes.push(b);
        }
    }
    String::from_utf8(bytes).ok()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The content type of a file, by its extension.
fn content_type(path: &Path) -> &'static str {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "map" => "application/json",
        "kap" | "txt" | "md" | "ts" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

fn send(out: &mut TcpStream, reply: &Reply, head_only: bool) -> io::Result<()> {
    let common = "X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\nCache-Control: no-store\r\nConnection: close\r\n";
    match reply {
        Reply::File(path) => {
            let body = match fs::read(path) {
                Ok(body) => body,
                Err(_) => return send(out, &Reply::Error(404, "Not Found"), head_only),
            };
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\n{common}\r\n",
                content_type(path),
                body.len()
            );
            out.write_all(head.as_bytes())?;
            if !head_only {
                out.write_all(&body)?;
            }
        }
        Reply::Error(status, reason) => {
            let body = format!("{status} {reason}\n");
            let allow = if *status == 405 { "Allow: GET, HEAD\r\n" } else { "" };
            let head = format!(
                "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n{allow}{common}\r\n",
                body.len()
            );
            out.write_all(head.as_bytes())?;
            if !head_only {
                out.write_all(body.as_bytes())?;
            }
        }
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
    use super::*;

    fn site(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("kap-serve-test-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("www/pkg")).unwrap();
        fs::write(dir.join("www/index.html"), "<!doctype html><title>t</title>").unwrap();
        fs::write(dir.join("www/pkg/kap_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
        fs::write(dir.join("www/pkg/rules.kap"), "protocol").unwrap();
        fs::write(dir.join("www/.hidden"), "no").unwrap();
        fs::write(dir.join("secret.txt"), "outside").unwrap();
        fs::canonicalize(dir.join("www")).unwrap()
    }

    fn get(root: &Path, request: &str) -> String {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let addr = listener.local_addr().unwrap();
        let root = root.to_path_buf();
        let server = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            answer(stream, &root).unwrap();
        });
        let mut client = TcpStream::connect(addr).unwrap();
        client.write_all(request.as_bytes()).unwrap();
        client.shutdown(std::net::Shutdown::Write).unwrap();
        let mut response = Vec::new();
        client.read_to_end(&mut response).unwrap();
        server.join().unwrap();
        String::from_utf8_lossy(&response).into_owned()
    }

    #[test]
    fn files_come_with_their_content_types() {
        let root = site("files");
        let index = get(&root, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(index.starts_with("HTTP/1.1 200 OK\r\n"), "{index}");
        assert!(index.contains("Content-Type: text/html; charset=utf-8\r\n"));
        assert!(index.ends_with("<!doctype html><title>t</title>"));
        let wasm = get(&root, "GET /pkg/kap_bg.wasm?v=1 HTTP/1.1\r\n\r\n");
        assert!(
            wasm.contains("Content-Type: application/wasm\r\n") && wasm.contains("Content-Length: 8\r\n"),
            "{wasm}"
        );
        let rules = get(&root, "HEAD /pkg/rules.kap HTTP/1.1\r\n\r\n");
        assert!(
            rules.contains("Content-Type: text/plain; charset=utf-8\r\n") && rules.ends_with("\r\n\r\n"),
            "{rules}"
        );
        assert_eq!(content_type(Path::new("app.js")), "text/javascript; charset=utf-8");
        assert_eq!(content_type(Path::new("style.css")), "text/css; charset=utf-8");
    }

    #[test]
    fn paths_cannot_leave_the_directory() {
        let root = site("paths");
        for target in [
            "/../secret.txt",
            "/pkg/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/pkg/%2E%2E%2F%2E%2E%2Fsecret.txt",
            "/..%5csecret.txt",
            "/.hidden",
            "/pkg/%00",
        ] {
            assert_eq!(resolve(&root, target), Reply::Error(403, "Forbidden"), "{target}");
        }
        assert_eq!(resolve(&root, "//secret.txt"), Reply::Error(404, "Not Found"));
        assert_eq!(resolve(&root, "/missing.js"), Reply::Error(404, "Not Found"));
        assert_eq!(resolve(&root, "http://evil/"), Reply::Error(400, "Bad Request"));
        assert_eq!(resolve(&root, "/%zz"), Reply::Error(400, "Bad Request"));
        assert_eq!(resolve(&root, "/pkg/"), Reply::Error(404, "Not Found"));
        assert_eq!(resolve(&root, "/pkg/rules.kap"), Reply::File(root.join("pkg/rules.kap")));
        let answer = get(&root, "GET /../secret.txt HTTP/1.1\r\n\r\n");
        assert!(answer.starts_with("HTTP/1.1 403 Forbidden\r\n") && !answer.contains("outside"), "{answer}");
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_out_of_the_directory_are_refused() {
        let root = site("links");
        let link = root.join("pkg/escape.txt");
        let _ = fs::remove_file(&link);
        std::os::unix::fs::symlink(root.join("../secret.txt"), &link).unwrap();
        assert_eq!(resolve(&root, "/pkg/escape.txt"), Reply::Error(403, "Forbidden"));
    }

    #[test]
    fn bad_requests_get_an_answer_not_a_panic() {
        let root = site("bad");
        assert!(get(&root, "POST / HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 405 Method Not Allowed\r\nContent-Type"));
        assert!(get(&root, "GET / HTTP/1.1\r\n").starts_with("HTTP/1.1 400 Bad Request"));
        assert!(get(&root, "\r\n\r\n").starts_with("HTTP/1.1 405"));
        assert!(get(&root, "GET /\u{e9} HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 404"));
        assert_eq!(get(&root, ""), "");
    }

    #[test]
    fn a_missing_directory_is_an_error() {
        assert!(serve(Path::new("/nonexistent/kap/www"), 0).is_err());
    }
}
