//! The form's files: every file under one directory (GET and HEAD) with the content types a
//! browser needs to run the form (`application/wasm` above all), through tower-http's
//! `ServeDir`. Before a request reaches it, the path is checked here: nothing that would
//! leave the directory (`..`, encoded or not, symbolic links pointing out, hidden files) is
//! served. Every answer says `nosniff`, `no-referrer` and `no-store`; the pages carry their
//! own Content-Security-Policy.

use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// The directory to serve, resolved; an error when it is not a directory.
pub fn root(dir: &Path) -> io::Result<PathBuf> {
    let root = fs::canonicalize(dir).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", dir.display())))?;
    if !root.is_dir() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("{} is not a directory", dir.display())));
    }
    Ok(root)
}

/// The router of the form's files under `root` (already resolved by [`root`]).
pub fn router(root: PathBuf) -> Router {
    let files = ServeDir::new(&root).append_index_html_on_directories(true);
    let guard_root = root.clone();
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            let root = guard_root.clone();
            async move { guard(&root, request, next).await }
        }))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
}

/// Refuses what must not be served, then lets `ServeDir` answer and names the content type.
async fn guard(root: &Path, request: Request, next: Next) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return (StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, "GET, HEAD")], "405 Method Not Allowed\n")
            .into_response();
    }
    let target = request.uri().path_and_query().map_or("/", |p| p.as_str()).to_string();
    let file = match resolve(root, &target) {
        Reply::File(file) => file,
        Reply::Error(status, reason) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
            return (status, format!("{} {reason}\n", status.as_u16())).into_response();
        }
    };
    let mut response = next.run(request).await;
    if response.status().is_success() {
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(&file)));
    }
    response
}

/// An HTTP answer: status, reason and the body or the file to send.
#[derive(Debug, PartialEq, Eq)]
enum Reply {
    File(PathBuf),
    Error(u16, &'static str),
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
    use super::*;
    use std::io::{Read as _, Write as _};
    use std::net::{Ipv4Addr, TcpStream};

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

    /// Sends `request` as it is to the router serving `root`; the answer as text, headers
    /// in lower case.
    fn get(root: &Path, request: &str) -> String {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let listener = runtime.block_on(tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))).unwrap();
        let addr = listener.local_addr().unwrap();
        let app = router(root.to_path_buf());
        runtime.spawn(async move { axum::serve(listener, app).await });
        let request = request.to_string();
        let client = std::thread::spawn(move || {
            let mut client = TcpStream::connect(addr).unwrap();
            client.set_read_timeout(Some(std::time::Duration::from_secs(5))).unwrap();
            client.write_all(request.as_bytes()).unwrap();
            let mut response = Vec::new();
            let mut buf = [0u8; 4096];
            while let Ok(n) = client.read(&mut buf) {
                if n == 0 {
                    break;
                }
                response.extend_from_slice(&buf[..n]);
            }
            String::from_utf8_lossy(&response).into_owned()
        });
        let text =
            runtime.block_on(async { tokio::task::spawn_blocking(move || client.join().unwrap()).await.unwrap() });
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        format!("{}\r\n\r\n{body}", head.to_ascii_lowercase())
    }

    const CLOSE: &str = "Connection: close\r\n\r\n";

    #[test]
    fn files_come_with_their_content_types() {
        let root = site("files");
        let index = get(&root, &format!("GET / HTTP/1.1\r\nHost: x\r\n{CLOSE}"));
        assert!(index.starts_with("http/1.1 200 ok\r\n"), "{index}");
        assert!(index.contains("content-type: text/html; charset=utf-8\r\n"), "{index}");
        assert!(index.contains("x-content-type-options: nosniff\r\n"), "{index}");
        assert!(index.contains("referrer-policy: no-referrer\r\n"), "{index}");
        assert!(index.contains("cache-control: no-store\r\n"), "{index}");
        assert!(index.ends_with("<!doctype html><title>t</title>"));
        let wasm = get(&root, &format!("GET /pkg/kap_bg.wasm?v=1 HTTP/1.1\r\nHost: x\r\n{CLOSE}"));
        assert!(
            wasm.contains("content-type: application/wasm\r\n") && wasm.contains("content-length: 8\r\n"),
            "{wasm}"
        );
        let rules = get(&root, &format!("HEAD /pkg/rules.kap HTTP/1.1\r\nHost: x\r\n{CLOSE}"));
        assert!(
            rules.contains("content-type: text/plain; charset=utf-8\r\n") && rules.ends_with("\r\n\r\n"),
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
        let answer = get(&root, &format!("GET /%2e%2e/secret.txt HTTP/1.1\r\nHost: x\r\n{CLOSE}"));
        assert!(answer.starts_with("http/1.1 403 forbidden\r\n") && !answer.contains("outside"), "{answer}");
        let hidden = get(&root, &format!("GET /.hidden HTTP/1.1\r\nHost: x\r\n{CLOSE}"));
        assert!(hidden.starts_with("http/1.1 403 forbidden\r\n") && !hidden.contains("no\n"), "{hidden}");
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
        let post = get(&root, &format!("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n{CLOSE}"));
        assert!(post.starts_with("http/1.1 405 method not allowed\r\n") && post.contains("allow: get, head"), "{post}");
        assert!(get(&root, "NOT HTTP AT ALL\r\n\r\n").starts_with("http/1.1 400"));
        assert!(get(&root, &format!("GET /missing HTTP/1.1\r\nHost: x\r\n{CLOSE}")).starts_with("http/1.1 404"));
    }

    #[test]
    fn a_missing_directory_is_an_error() {
        assert!(super::root(Path::new("/nonexistent/kap/www")).is_err());
    }
}
