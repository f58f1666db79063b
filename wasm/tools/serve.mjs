// A static file server for the web form in Node, for the browser test and as the fallback of
// scripts/web-serve while `kap serve` is not available. Same rules as cli/src/serve.rs:
// 127.0.0.1 only, GET and HEAD, content types by extension, no path leaving the directory.
//
//   node wasm/tools/serve.mjs [DIR] [PORT]     (PORT 0 picks a free port)

import http from "node:http";
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".kap": "text/plain; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

/** Serves `dir` on 127.0.0.1:`port`; resolves to { server, url } once listening. */
export async function startServer(dir, port = 0) {
  const root = await fs.realpath(dir);
  const server = http.createServer(async (req, res) => {
    const reply = (status, body, headers = {}) => {
      res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", ...headers });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    if (req.method !== "GET" && req.method !== "HEAD") return reply(405, "405 Method Not Allowed\n", { Allow: "GET, HEAD" });
    let rel;
    try {
      rel = decodeURIComponent((req.url || "/").split(/[?#]/)[0]);
    } catch {
      return reply(400, "400 Bad Request\n");
    }
    const segments = rel.split("/").filter((s) => s !== "");
    if (rel.includes("\\") || rel.includes("\0") || segments.some((s) => s.startsWith("."))) return reply(403, "403 Forbidden\n");
    let file = path.join(root, ...segments);
    try {
      if ((await fs.stat(file)).isDirectory()) file = path.join(file, "index.html");
      const real = await fs.realpath(file);
      if (real !== root && !real.startsWith(root + path.sep)) return reply(403, "403 Forbidden\n");
      const body = await fs.readFile(real);
      const type = TYPES[path.extname(real).toLowerCase()] || "application/octet-stream";
      reply(200, body, { "Content-Type": type, "Content-Length": body.length });
    } catch {
      reply(404, "404 Not Found\n");
    }
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] || "wasm/www";
  const port = Number(process.argv[3] || 8080);
  const { url } = await startServer(dir, port);
  console.log(`serving ${dir} at ${url} (only this machine can connect; Ctrl-C stops)`);
}
