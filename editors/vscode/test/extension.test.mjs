// The VS Code extension's manifest and entry point (editors/vscode). extension.js runs with
// stand-ins for the `vscode` module (which only VS Code provides) and for
// vscode-languageclient, recording the server it would start. Run: scripts/grammar-test.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const extensionDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const json = (file) => JSON.parse(readFileSync(path.join(extensionDir, file), "utf8"));
const manifest = json("package.json");

test("the manifest contributes the languages, their grammars and the setting kap.path", () => {
  const languages = Object.fromEntries(manifest.contributes.languages.map((l) => [l.id, l]));
  assert.deepEqual(languages.kap.extensions, [".kap"]);
  assert.deepEqual(languages.kaptest.extensions, [".kaptest"]);
  for (const language of Object.values(languages)) {
    const configuration = json(language.configuration);
    assert.equal(configuration.comments.lineComment, "#");
    assert.ok(configuration.autoClosingPairs.some((p) => p.open === '"' && p.close === '"'));
    assert.ok(configuration.brackets.some(([open, close]) => open === "[" && close === "]"));
  }
  for (const grammar of manifest.contributes.grammars) {
    assert.ok(languages[grammar.language], grammar.language);
    assert.ok(existsSync(path.join(extensionDir, grammar.path)), grammar.path);
    const raw = json(grammar.path);
    assert.equal(raw.scopeName, grammar.scopeName);
    assert.equal(raw.scopeName, `source.${grammar.language}`);
  }
  const setting = manifest.contributes.configuration.properties["kap.path"];
  assert.equal(setting.default, "kap");
  assert.equal(setting.scope, "machine", "a workspace must not choose the program the editor runs");
  assert.ok(manifest.activationEvents.includes("onLanguage:kap"));
  assert.equal(manifest.main, "./extension.js");
});

test("vscode-languageclient is a dependency pinned by package-lock.json", () => {
  const version = manifest.dependencies["vscode-languageclient"];
  assert.match(version, /^\d+\.\d+\.\d+$/, "an exact version");
  const lock = json("package-lock.json");
  assert.equal(lock.packages["node_modules/vscode-languageclient"].version, version);
  assert.equal(lock.packages[""].dependencies["vscode-languageclient"], version);
});

/**
 * Loads extension.js with stand-ins for `vscode` and `vscode-languageclient/node`. `settings`
 * holds the configuration of section `kap`; `failStart` makes the client's start fail.
 */
function loadExtension({ settings = {}, failStart = false } = {}) {
  const events = [];
  const handlers = { configuration: [], commands: {} };
  const vscode = {
    workspace: {
      getConfiguration: (section) => ({ get: (key) => (section === "kap" ? settings[key] : undefined) }),
      onDidChangeConfiguration: (handler) => {
        handlers.configuration.push(handler);
        return { dispose() {} };
      },
    },
    commands: {
      registerCommand: (name, handler) => {
        handlers.commands[name] = handler;
        return { dispose() {} };
      },
    },
    window: { showErrorMessage: (message) => events.push(["error", message]) },
  };
  class LanguageClient {
    constructor(id, name, serverOptions, clientOptions) {
      this.id = id;
      events.push(["new", { id, name, serverOptions, clientOptions }]);
    }
    async start() {
      events.push(["start"]);
      if (failStart) throw new Error("spawn kap ENOENT");
    }
    async stop() {
      events.push(["stop"]);
    }
  }
  const stubs = { vscode, "vscode-languageclient/node": { LanguageClient, TransportKind: { stdio: 0, ipc: 1, pipe: 2 } } };
  const original = Module._load;
  Module._load = function (request, ...rest) {
    return Object.hasOwn(stubs, request) ? stubs[request] : original.call(this, request, ...rest);
  };
  try {
    const require = createRequire(import.meta.url);
    const file = path.join(extensionDir, "extension.js");
    delete require.cache[file];
    return { extension: require(file), events, handlers };
  } finally {
    Module._load = original;
  }
}

test("activate starts `kap lsp` over standard input and output for kap files", async () => {
  const { extension, events } = loadExtension();
  const context = { subscriptions: [] };
  await extension.activate(context);
  const [kind, created] = events[0];
  assert.equal(kind, "new");
  // No transport: with TransportKind.stdio the client would append `--stdio`, which kap lsp refuses.
  assert.deepEqual(created.serverOptions.run, { command: "kap", args: ["lsp"] });
  assert.deepEqual(created.serverOptions.debug, created.serverOptions.run);
  assert.deepEqual(
    created.clientOptions.documentSelector.map((s) => s.language),
    ["kap", "kap"],
  );
  assert.deepEqual(events[1], ["start"]);
  assert.equal(context.subscriptions.length, 2);
  await extension.deactivate();
  assert.deepEqual(events.at(-1), ["stop"]);
});

test("kap.path chooses the binary; changing it restarts the server", async () => {
  const settings = { path: " /opt/kap/bin/kap " };
  const { extension, events, handlers } = loadExtension({ settings });
  await extension.activate({ subscriptions: [] });
  assert.equal(events[0][1].serverOptions.run.command, "/opt/kap/bin/kap");
  settings.path = "/usr/local/bin/kap";
  await handlers.configuration[0]({ affectsConfiguration: (key) => key === "kap.path" });
  assert.deepEqual(
    events.map((e) => e[0]),
    ["new", "start", "stop", "new", "start"],
  );
  assert.equal(events[3][1].serverOptions.run.command, "/usr/local/bin/kap");
  await handlers.configuration[0]({ affectsConfiguration: () => false });
  assert.equal(events.length, 5, "other settings change nothing");
  await handlers.commands["kap.restartServer"]();
  assert.deepEqual(events.slice(5).map((e) => e[0]), ["stop", "new", "start"]);
});

test("an empty kap.path means `kap`; a server that cannot start is reported", async () => {
  const { extension, events } = loadExtension({ settings: { path: "" }, failStart: true });
  await extension.activate({ subscriptions: [] });
  assert.equal(events[0][1].serverOptions.run.command, "kap");
  const error = events.find((e) => e[0] === "error");
  assert.ok(error, "an error message");
  assert.match(error[1], /kap lsp/);
  assert.match(error[1], /kap\.path/);
  await extension.deactivate();
  assert.ok(!events.some((e) => e[0] === "stop"), "nothing to stop");
});
