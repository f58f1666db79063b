// The authoring page: the rule file in an editor, checked by the engine as the author types
// (diagnostics as marks in the text and as a list under it), the declaration of an input path
// on hover, and a preview of the prescriber form generated from the file, which follows each
// version of the file that compiles. Loads the engine and the shipped rule file, then forbids
// itself any connection, like the form: the file and the preview's data stay in the page.

import { init, check, Protocol, CompileError } from "./pkg/kap.js";
import { createEditor } from "./pkg/editor.bundle.js";
import { h, toDom } from "./dom.js";
import { editorDiagnostics, countText, pathAt, inputsByPath, declarationView } from "./authoring.js";
import { Preview } from "./preview.js";

const REFERENCE_URL = "pkg/kap-reference.kap";
const REFERENCE_FILE = "kap-reference.kap";
const DOWNLOAD_NAME = "kap-edited.kap";
/** Milliseconds after the last keystroke before the file is checked: short enough that a
 * diagnostic shows within 100 ms of an edit, long enough not to check mid-word. */
const CHECK_DELAY = 25;

const $ = (id) => document.getElementById(id);
const page = {
  editor: null,
  preview: null,
  file: REFERENCE_FILE, // the name diagnostics give the file
  reference: "", // the shipped rule file's text
  saved: "", // the text last opened or downloaded: leaving the page with other text asks first
  compiled: null, // the text of the version the preview uses
  inputs: new Map(), // its inputs by path, for the hover
  compileTimer: 0,
  said: "", // what the live region last said
};

function lockNetwork() {
  const meta = document.createElement("meta");
  meta.httpEquiv = "Content-Security-Policy";
  meta.content = "connect-src 'none'";
  document.head.appendChild(meta);
}

// ---------------------------------------------------------------------------------------
// Checking: the engine's `check` runs CHECK_DELAY ms after the last change (the editor's
// linter), its diagnostics become marks in the text; then the list follows, and when the text
// compiles, the preview.

function lint(text) {
  const started = performance.now();
  const diagnostics = check(text, page.file);
  const ms = performance.now() - started;
  $("check-time").textContent = `Checked in ${Math.round(ms)} ms.`;
  $("check-time").dataset.ms = String(ms);
  return editorDiagnostics(text, diagnostics).map((d) => ({ ...d, renderMessage: () => toDom(messageView(d)) }));
}

/** A diagnostic's message, code and hint, in the editor's tooltip. */
function messageView(d) {
  return h("span", null, d.message, d.hint ? h("span", { class: "kap-hint" }, `hint: ${d.hint}`) : null);
}

/** The list under the editor, from the diagnostics shown (`[{ diagnostic, from, to }]`). */
function onLint(shown, state) {
  const diagnostics = shown.map((s) => s.diagnostic);
  const count = countText(diagnostics);
  $("problem-count").textContent = count;
  const list = $("problems");
  // A keyboard user on a problem keeps the focus when the list is drawn again (each check
  // draws it): on the same problem if it is still listed, else on the one in its place.
  const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest("#problems button[data-index]");
  const focusedIndex = focused ? Number(focused.dataset.index) : -1;
  list.replaceChildren(
    ...shown.map(({ diagnostic: d }, i) => {
      const k = d.kap;
      return toDom(
        h(
          "li",
          { class: `problem problem-${d.severity}`, "data-line": k.line, "data-code": k.code },
          h(
            "button",
            { type: "button", class: "problem-go", "data-index": i },
            h("span", { class: "icon", "aria-hidden": "true" }, d.severity === "error" ? "✕" : "!"),
            " ",
            h("span", { class: "where" }, `Line ${k.line}, column ${k.column}`),
            ": ",
            h("strong", null, d.severity),
            " ",
            h("code", { class: "code" }, k.code),
            h("span", { class: "message" }, k.message),
            k.hint ? h("span", { class: "hint" }, `hint: ${k.hint}`) : null,
          ),
        ),
      );
    }),
  );
  page.shown = diagnostics;
  if (focusedIndex >= 0) {
    const buttons = list.querySelectorAll("button[data-index]");
    const again = buttons[Math.min(focusedIndex, buttons.length - 1)];
    if (again) again.focus();
    else page.editor.focus(); // no problem left: back to the text
  }
  // Said once when the count changes, not at every check.
  const said = `Problems: ${count}.`;
  if (said !== page.said) {
    if (page.said) $("problems-said").textContent = said;
    page.said = said;
  }
  const errors = diagnostics.some((d) => d.severity === "error");
  const text = state.doc.toString();
  if (!errors && text !== page.compiled) {
    // After the marks and the list are drawn: compiling and drawing the preview take a while.
    clearTimeout(page.compileTimer);
    page.compileTimer = setTimeout(() => compile(text), 0);
  }
  previewNote(errors);
  document.documentElement.dataset.ready = "true";
}

function goTo(index) {
  const d = page.shown && page.shown[index];
  if (!d) return;
  const where = page.editor.whereIs(d) || { from: d.from, to: d.to };
  page.editor.select(where.from, where.to);
}

// ---------------------------------------------------------------------------------------
// The preview

function compile(text) {
  if (page.editor.text() !== text) return; // changed since it was checked: the next check decides
  let protocol;
  try {
    protocol = Protocol.compile(text, page.file);
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    return;
  }
  usePreview(protocol, text);
}

function usePreview(protocol, text) {
  page.preview.use(protocol);
  page.compiled = text;
  page.inputs = inputsByPath(page.preview.description);
  const p = page.preview.description.protocol;
  $("protocol-name").textContent = `${p.name} ${p.version}`;
  $("protocol-status").textContent = p.status;
  $("protocol-status").dataset.status = p.status;
  previewNote(false);
}

function previewNote(errors) {
  const note = $("preview-note");
  let state;
  let text;
  if (!page.compiled) {
    state = "none";
    text = "No version of this file has compiled yet: the preview appears when it does.";
  } else if (errors) {
    state = "stale";
    text = "The file has errors: the preview shows the last version that compiled.";
  } else if (page.editor && page.editor.text() !== page.compiled) {
    state = "pending";
    text = "Updating…";
  } else {
    state = "current";
    text = "Up to date with the file. Fill it in: the decisions follow each change, of the data or of the rules.";
  }
  note.dataset.state = state;
  note.textContent = text;
}

/** The hover over a word of the editor: the declaration of the input it names, if any. */
function hover(lineText, column) {
  const hit = pathAt(lineText, column);
  if (!hit) return null;
  const input = page.inputs.get(hit.key);
  if (!input) return null;
  const stale = page.editor.text() !== page.compiled;
  return { from: hit.from, to: hit.to, dom: toDom(declarationView(input, { stale })) };
}

// ---------------------------------------------------------------------------------------
// Files

function setFile(name) {
  page.file = name;
  $("file-name").textContent = name;
}

async function openFile(file) {
  const text = await file.text();
  setFile(file.name);
  page.saved = text;
  page.editor.setText(text);
  page.editor.focus();
}

function download(event) {
  const link = event.currentTarget;
  const text = page.editor.text();
  if (link.href.startsWith("blob:")) URL.revokeObjectURL(link.href);
  // The link's own default action downloads it: the address is set just before.
  link.href = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
  link.download = DOWNLOAD_NAME;
  page.saved = text;
}

// ---------------------------------------------------------------------------------------
// Start

async function start() {
  const [source] = await Promise.all([
    fetch(REFERENCE_URL).then((r) => {
      if (!r.ok) throw new Error(`${REFERENCE_URL}: HTTP ${r.status}`);
      return r.text();
    }),
    init(),
  ]);
  lockNetwork();
  page.reference = source;
  page.saved = source;
  setFile(REFERENCE_FILE);
  page.preview = new Preview({ form: $("preview-form"), results: $("preview-results"), status: $("preview-status") });
  page.editor = createEditor($("editor"), source, { label: "Rule file", lint, delay: CHECK_DELAY, onLint, hover });
  // The shipped file compiles: the preview is there at once, before the first check.
  usePreview(Protocol.compile(source, REFERENCE_FILE), source);

  $("problems").addEventListener("click", (e) => {
    const button = e.target.closest("button[data-index]");
    if (button) goTo(Number(button.dataset.index));
  });
  $("open-file").addEventListener("change", (e) => {
    const file = e.target.files && e.target.files[0];
    if (file) openFile(file);
    e.target.value = "";
  });
  $("download").addEventListener("click", download);
  $("reset").addEventListener("click", () => {
    setFile(REFERENCE_FILE);
    page.editor.setText(page.reference);
    page.editor.focus();
  });
  window.addEventListener("beforeunload", (e) => {
    if (page.editor.text() !== page.saved) e.preventDefault();
  });
}

start().catch((e) => {
  const box = $("load-error");
  box.textContent = `The authoring page could not start: ${e.message}. Build it with scripts/web-build and serve it with scripts/web-serve.`;
  box.hidden = false;
  document.documentElement.dataset.ready = "error";
  console.error(e);
});
