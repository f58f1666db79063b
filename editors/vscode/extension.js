// The kap extension for VS Code. Highlighting needs no code: package.json names the grammars
// in syntaxes/. This file starts the language server, `kap lsp`, over standard input and
// output for .kap files (diagnostics, hover, go to definition, references, completion,
// outline, formatting), and restarts it when the setting `kap.path` changes or on the
// command "kap: Restart the language server". Plain CommonJS, no build step.
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

/** @type {LanguageClient | undefined} */
let client;

/** The command that runs the server: `kap.path` (default `kap`, found on the PATH), then `lsp`. */
function serverCommand() {
  const configured = vscode.workspace.getConfiguration("kap").get("path");
  const command = typeof configured === "string" && configured.trim() !== "" ? configured.trim() : "kap";
  // No `transport`: the client would add `--stdio` to the arguments, which `kap lsp` does not
  // take. Without it the client talks to the process over its standard input and output.
  return { command, args: ["lsp"] };
}

async function start() {
  const executable = serverCommand();
  const next = new LanguageClient(
    "kap",
    "kap language server",
    { run: executable, debug: executable },
    {
      documentSelector: [
        { scheme: "file", language: "kap" },
        { scheme: "untitled", language: "kap" },
      ],
    },
  );
  client = next;
  try {
    await next.start();
  } catch (error) {
    if (client === next) client = undefined;
    const reason = error instanceof Error ? error.message : String(error);
    vscode.window.showErrorMessage(
      `kap: cannot start \`${executable.command} lsp\` (${reason}). Install kap (cargo install --path cli) ` +
        "or set `kap.path` to the kap binary.",
    );
  }
}

async function stop() {
  const running = client;
  client = undefined;
  if (running) {
    try {
      await running.stop();
    } catch {
      // Already stopped, or never started: nothing to do.
    }
  }
}

async function restart() {
  await stop();
  await start();
}

/** @param {import("vscode").ExtensionContext} context */
async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand("kap.restartServer", restart),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("kap.path")) return restart();
      return undefined;
    }),
  );
  await start();
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate };
