// The rule editor of the authoring page (wasm/www/author.html): CodeMirror 6 with a
// highlighting mode for kap rule files, the engine's diagnostics as lint marks, and hover
// tooltips. scripts/web-build bundles this file with esbuild into wasm/www/pkg/editor.bundle.js
// (the page never loads code from elsewhere); wasm/www/author.js drives it.
//
// The editor lives in a shadow root: CodeMirror adds its styles to a document as a <style>
// element, which the page's Content-Security-Policy (style-src 'self') refuses, while in a
// shadow root it adopts a constructed style sheet, which the policy does not govern. The page
// keeps its policy as strict as the prescriber form's.

import { EditorState } from "@codemirror/state";
import { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection, hoverTooltip } from "@codemirror/view";
import { StreamLanguage, syntaxHighlighting, bracketMatching, indentUnit } from "@codemirror/language";
import { defaultKeymap, history, historyKeymap, indentWithTab, isolateHistory } from "@codemirror/commands";
import { linter, lintKeymap, forEachDiagnostic, setDiagnosticsEffect } from "@codemirror/lint";
import { tags, tagHighlighter } from "@lezer/highlight";

// ---------------------------------------------------------------------------------------
// Highlighting: a line-by-line tokenizer (engine/src/syntax/grammar.pest is the grammar).

/** The items of a rule file, each at the first column of a line. */
const ITEMS = new Set(["protocol", "source", "input", "define", "decision", "ladder", "schedule"]);
/** The words that end an expression (the grammar's `keyword`), and a few more of its fixed words. */
const WORDS = new Set([
  "and", "or", "not", "in", "is", "known", "missing", "when", "of", "otherwise", "any", "unknown",
  "help", "if", "given", "url", "required", "with", "ordered", "after", "where", "for", "choose",
  "then", "unless", "within", "action", "tone", "done", "all", "count", "minutes", "quiet", "advisory",
  "above", "down", "to", "weeks", "week", "every", "on", "a",
]);
/** Words after which the next name is the one being declared (`exclude minor`, `list exclusions`). */
const NOT_DECLARING = new Set([
  "given", "kinds", "levels", "route", "weight", "dose", "round", "cap", "limit", "allow", "infusion",
  "weeks", "url", "help", "version", "status", "owner", "description", "timezone", "missing", "when", "or", "and",
]);
const TYPES = new Set(["boolean", "integer", "decimal", "timestamp", "list", "one"]);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const PATH_REST = /^(?:\.[A-Za-z_][A-Za-z0-9_]*|\[-?\d*\])+/;
const UNIT = /^(?:%|[A-Za-z][A-Za-z_]*\d?)(?:\/(?:%|[A-Za-z][A-Za-z_]*\d?))*/;
/** `[S1 P]`, `[R37 R38 P]`: the sources a rule cites (their keys start with a capital). */
const CITATION = /^\[\s*[A-Z][A-Za-z0-9_]*(?:[\s,]+[A-Z][A-Za-z0-9_]*)*\s*,?\s*\]/;

export const kapLanguage = StreamLanguage.define({
  name: "kap",
  startState: () => ({ item: null, first: true, declaring: false, unit: false, colon: false }),
  copyState: (s) => ({ ...s }),
  token(stream, state) {
    if (stream.sol()) {
      state.first = true;
      state.unit = false;
    }
    if (stream.eatSpace()) return null;
    const expectUnit = state.unit;
    state.unit = false;
    const ch = stream.peek();
    if (ch === "#") {
      stream.skipToEnd();
      return "comment";
    }
    const atStart = stream.pos === 0;
    const first = state.first;
    state.first = false;
    if (ch === '"') {
      stream.next();
      while (!stream.eol()) {
        const c = stream.next();
        if (c === "\\") stream.next();
        else if (c === '"') break;
      }
      state.declaring = false;
      return "string";
    }
    if (stream.match(/^\d+(?:\.\d+)?/)) {
      state.unit = true;
      return "number";
    }
    if (ch === "[" && stream.match(CITATION)) return "link";
    const word = stream.match(NAME);
    if (word) {
      const w = word[0];
      if (atStart) {
        state.item = ITEMS.has(w) ? w : null;
        state.declaring = state.item !== null && w !== "protocol";
        state.colon = false;
        return ITEMS.has(w) ? "definitionKeyword" : "invalid";
      }
      if (stream.match(PATH_REST)) {
        const declared = state.declaring;
        state.declaring = false;
        return declared ? "variableName.definition" : "variableName";
      }
      if (w === "true" || w === "false") return "bool";
      if (expectUnit && !WORDS.has(w) && w !== "at" && UNIT.test(w)) {
        stream.backUp(w.length);
        stream.match(UNIT);
        return "unit";
      }
      if (state.item === "input" && state.colon && TYPES.has(w)) {
        state.unit = w === "integer" || w === "decimal";
        return "typeName";
      }
      if (first && !WORDS.has(w)) {
        // An entry of a decision or ladder, or a header field: `exclude minor "..."`, `verdict ...`.
        state.declaring = !NOT_DECLARING.has(w);
        return "keyword";
      }
      if (WORDS.has(w)) return "operatorKeyword";
      const declared = state.declaring;
      state.declaring = false;
      return declared ? "variableName.definition" : "variableName";
    }
    if (ch === ":") state.colon = true;
    if (stream.match(/^(?:<=|>=|!=|\.\.|[<>=+\-*/×≤≥≠])/)) return "operator";
    stream.next();
    return "punctuation";
  },
  languageData: { commentTokens: { line: "#" } },
});

/** Stable class names for the tokens (the tests find them by these). */
export const kapHighlighter = tagHighlighter([
  { tag: tags.comment, class: "kap-comment" },
  { tag: tags.string, class: "kap-string" },
  { tag: tags.number, class: "kap-number" },
  { tag: tags.unit, class: "kap-unit" },
  { tag: tags.definitionKeyword, class: "kap-item" },
  { tag: tags.keyword, class: "kap-keyword" },
  { tag: tags.operatorKeyword, class: "kap-word" },
  { tag: tags.definition(tags.variableName), class: "kap-def" },
  { tag: tags.variableName, class: "kap-path" },
  { tag: tags.typeName, class: "kap-type" },
  { tag: tags.link, class: "kap-cite" },
  { tag: tags.bool, class: "kap-bool" },
  { tag: tags.invalid, class: "kap-invalid" },
  { tag: [tags.operator, tags.punctuation], class: "kap-op" },
]);

// Colours of at least 4.5:1 on white (WCAG AA), as the form's.
const theme = EditorView.theme({
  "&": { height: "100%", fontSize: "0.9rem", backgroundColor: "#fff", color: "#1b1f24" },
  "&.cm-focused": { outline: "3px solid #0b5fff", outlineOffset: "-3px" },
  ".cm-scroller": { fontFamily: 'ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace', lineHeight: "1.45" },
  ".cm-gutters": { backgroundColor: "#f6f8fa", color: "#57606a", borderRight: "1px solid #d0d7de" },
  ".cm-activeLine": { backgroundColor: "#f3f6fb" },
  ".cm-activeLineGutter": { backgroundColor: "#e3e9f2", color: "#1b1f24" },
  ".kap-comment": { color: "#57606a", fontStyle: "italic" },
  ".kap-string": { color: "#0a3069" },
  ".kap-number": { color: "#0550ae" },
  ".kap-unit": { color: "#953800" },
  ".kap-item": { color: "#a0111f", fontWeight: "700" },
  ".kap-keyword": { color: "#a0111f" },
  ".kap-word": { color: "#6639ba" },
  ".kap-def": { color: "#1b1f24", fontWeight: "700" },
  ".kap-path": { color: "#116329" },
  ".kap-type": { color: "#6639ba", fontWeight: "600" },
  ".kap-cite": { color: "#5a3e00", backgroundColor: "#fbf3dd" },
  ".kap-bool": { color: "#0550ae" },
  ".kap-invalid": { color: "#b3261e", textDecoration: "underline wavy" },
  ".kap-op": { color: "#424a53" },
  ".cm-tooltip": { border: "1px solid #8c959f", borderRadius: "0.3rem", boxShadow: "0 4px 12px rgba(0,0,0,.2)", maxWidth: "34rem" },
  ".cm-tooltip-lint": { fontFamily: "system-ui, sans-serif" },
  ".cm-diagnostic": { padding: "0.35rem 0.6rem", color: "#1b1f24" },
  ".cm-diagnosticSource": { fontSize: "0.8rem", opacity: "1", color: "#57606a", fontFamily: 'ui-monospace, Menlo, Consolas, monospace' },
  ".kap-hint": { display: "block", marginTop: "0.2rem", fontStyle: "italic" },
  ".kap-hover": { padding: "0.4rem 0.7rem", fontFamily: "system-ui, sans-serif", fontSize: "0.88rem", color: "#1b1f24", lineHeight: "1.4" },
  ".kap-hover p": { margin: "0.15rem 0" },
  ".kap-hover code": { fontFamily: 'ui-monospace, Menlo, Consolas, monospace' },
  ".kap-hover .kap-muted": { color: "#57606a" },
});

// ---------------------------------------------------------------------------------------
// The editor

/**
 * Creates the editor in `host` (in a shadow root of its own) with `doc`. Options:
 *   label        the accessible name of the text area
 *   lint(text)   the diagnostics of the text: [{ from, to, severity, message, source, renderMessage }]
 *   delay        milliseconds after the last change before `lint` runs
 *   onLint(list, state)  after the diagnostics are shown: [{ diagnostic, from, to }] (positions now)
 *   hover(lineText, column)  a tooltip for a word: { from, to, dom } (columns in the line) or null
 *   onChange(state)  after every change of the text
 */
export function createEditor(host, doc, { label, lint, delay = 150, onLint, hover, onChange }) {
  const root = host.shadowRoot || host.attachShadow({ mode: "open" });
  const listeners = EditorView.updateListener.of((update) => {
    if (update.docChanged && onChange) onChange(update.state);
    if (onLint && update.transactions.some((tr) => tr.effects.some((e) => e.is(setDiagnosticsEffect)))) {
      onLint(diagnosticsOf(update.state), update.state);
    }
  });
  const tooltips = hoverTooltip((view, pos) => {
    if (!hover) return null;
    const line = view.state.doc.lineAt(pos);
    const hit = hover(line.text, pos - line.from);
    if (!hit) return null;
    return { pos: line.from + hit.from, end: line.from + hit.to, above: true, create: () => ({ dom: hit.dom }) };
  });
  const state = EditorState.create({
    doc,
    extensions: [
      lineNumbers(),
      highlightActiveLineGutter(),
      history(),
      drawSelection(),
      bracketMatching(),
      highlightActiveLine(),
      indentUnit.of("  "),
      EditorView.lineWrapping,
      kapLanguage,
      syntaxHighlighting(kapHighlighter),
      theme,
      linter((view) => lint(view.state.doc.toString()), { delay }),
      tooltips,
      listeners,
      // tabindex: the text is a stop of the keyboard, as contenteditable makes it, and said so
      // (axe-core looks for a focusable element in a scrolled region by it).
      EditorView.contentAttributes.of({ "aria-label": label, tabindex: "0", spellcheck: "false", autocapitalize: "off", autocorrect: "off" }),
      // Tab indents; Escape then Tab leaves the editor (CodeMirror's rule, so the keyboard is never trapped).
      keymap.of([...defaultKeymap, ...historyKeymap, ...lintKeymap, indentWithTab]),
    ],
  });
  const view = new EditorView({ state, parent: root, root });
  return {
    view,
    /** The text being edited. */
    text: () => view.state.doc.toString(),
    /** Replaces the whole text (a step of its own in the history: undo brings the former text back). */
    setText(text) {
      view.dispatch({
        changes: { from: 0, to: view.state.doc.length, insert: text },
        selection: { anchor: 0 },
        scrollIntoView: true,
        annotations: isolateHistory.of("full"),
      });
    },
    /** Selects a range, shows it and gives the editor the focus. */
    select(from, to = from) {
      const length = view.state.doc.length;
      view.dispatch({ selection: { anchor: Math.min(from, length), head: Math.min(to, length) }, scrollIntoView: true });
      view.focus();
    },
    /** Where a diagnostic is now (the text may have changed since it was found): { from, to } or null. */
    whereIs(diagnostic) {
      let found = null;
      forEachDiagnostic(view.state, (d, from, to) => {
        if (d === diagnostic && !found) found = { from, to };
      });
      return found;
    },
    focus: () => view.focus(),
  };
}

function diagnosticsOf(state) {
  const out = [];
  forEachDiagnostic(state, (diagnostic, from, to) => out.push({ diagnostic, from, to }));
  return out;
}
