// The authoring page's preview: the prescriber form generated from the rule file being
// edited, drawn into the containers it is given, and evaluated on every change, with the
// form's own views (form.js, results.js) and model (model.js). When the rule file compiles
// again, the preview takes the new protocol and keeps what was entered that it still declares.
// A smaller sibling of app.js: no verdict bar panel, announcements, print or documents.

import { h, toDom } from "./dom.js";
import { layout, emptyState, keepDeclared, setRaw, buildDocument, fieldId, labelOf, clockFields, NOT_A_NUMBER } from "./model.js";
import { formView, listView, localToUtc, utcToLocal, utcText } from "./form.js";
import { decideEntered } from "./decide.js";
import { resultsView, verdictSummary } from "./results.js";

/** The current time, to the minute, as the engine reads times. */
function nowUtc() {
  const t = new Date();
  t.setSeconds(0, 0);
  return t.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function replaceChildren(el, views) {
  el.replaceChildren(...[].concat(views).map((v) => toDom(v)));
}

export class Preview {
  /** `form`: the <form> the fields go in; `results`: where the decisions go; `status`: the verdicts in short. */
  constructor({ form, results, status }) {
    this.el = { form, results, status };
    this.protocol = null;
    this.description = null;
    this.layout = null;
    this.declared = null; // the inputs' declarations the form was drawn from (JSON)
    this.state = emptyState();
    this.collapsed = new Set();
    this.marked = new Set();
    this.lastGood = null;
    this.evaluated = null;
    form.addEventListener("input", (e) => this.onInput(e));
    form.addEventListener("change", (e) => this.onInput(e));
    form.addEventListener("submit", (e) => e.preventDefault());
    for (const el of [form, results, status]) el.addEventListener("click", (e) => this.onClick(e));
  }

  /** Uses a newly compiled protocol (the former one is freed); the form is drawn again only when its inputs changed. */
  use(protocol) {
    const former = this.protocol;
    this.protocol = protocol;
    this.description = protocol.describe();
    this.layout = layout(this.description);
    this.state = keepDeclared(this.layout, this.state);
    for (const input of clockFields(this.layout)) if (!this.state.values[input.path]) this.state.values[input.path] = nowUtc();
    this.lastGood = null;
    this.evaluated = null;
    const declared = JSON.stringify(this.description.sections);
    if (declared !== this.declared) {
      this.declared = declared;
      this.renderForm();
    }
    this.evaluate();
    if (former && former !== protocol) former.free();
  }

  renderForm() {
    replaceChildren(this.el.form, formView(this.layout, this.state, { collapsed: this.collapsed }));
    this.marked.clear();
    this.evaluated = null;
  }

  renderList(listPath) {
    const entry = this.layout.sections.flatMap((s) => s.entries).find((e) => e.kind === "list" && e.input.path === listPath);
    const old = this.el.form.querySelector(`[data-list="${CSS.escape(listPath)}"].list-field`);
    if (!entry || !old) return;
    const items = this.state.lists[listPath] || [];
    for (const item of items) for (const k of Object.keys(item)) if (item[k] === NOT_A_NUMBER) delete item[k];
    old.replaceWith(toDom(listView(entry, items)));
    this.evaluated = null;
  }

  onInput(event) {
    const el = event.target;
    const path = el.dataset && el.dataset.path;
    if (!path) return;
    let raw = el.value;
    if (el.type === "radio") {
      if (!el.checked) return;
    } else if (el.dataset.type === "integer" || el.dataset.type === "decimal") {
      raw = el.value.trim();
    } else if (el.type === "datetime-local") {
      raw = localToUtc(el.value);
      const out = this.el.form.querySelector(`[id="${CSS.escape(el.id)}-utc"]`);
      if (out) out.textContent = utcText(raw);
    }
    setRaw(this.state, path, raw);
    this.evaluate();
  }

  onClick(event) {
    const link = event.target.closest("a[data-focus]");
    if (link) {
      event.preventDefault();
      this.focusField(link.dataset.focus);
      return;
    }
    const button = event.target.closest("button");
    if (!button || !this.layout) return;
    if (button.dataset.sectionToggle !== undefined) {
      const name = button.dataset.sectionToggle;
      this.setSectionOpen(name, this.collapsed.has(name));
    } else if (button.dataset.add) {
      const list = button.dataset.add;
      (this.state.lists[list] || (this.state.lists[list] = [])).push({});
      this.renderList(list);
      this.evaluate();
      const first = this.el.form.querySelector(`[data-list="${CSS.escape(list)}"].list-field .item:last-of-type [data-path]`);
      if (first) first.focus();
    } else if (button.dataset.remove) {
      const list = button.dataset.remove;
      (this.state.lists[list] || []).splice(Number(button.dataset.index), 1);
      this.renderList(list);
      this.evaluate();
      const add = this.byId(fieldId(list));
      if (add) add.focus();
    } else if (button.dataset.now) {
      const path = button.dataset.now;
      const utc = nowUtc();
      setRaw(this.state, path, utc);
      const input = this.byId(fieldId(path));
      if (input) {
        input.value = utcToLocal(utc);
        const out = this.byId(`${input.id}-utc`);
        if (out) out.textContent = utcText(utc);
      }
      this.evaluate();
    }
  }

  byId(id) {
    return this.el.form.querySelector(`[id="${CSS.escape(id)}"]`);
  }

  /** Moves the focus to the control of an input path (a list's add button for a list). */
  focusField(path) {
    let el = this.byId(fieldId(path));
    if (el && el.type === "radio") el = this.el.form.querySelector(`input[type=radio][name="${CSS.escape(el.name)}"]:checked`) || el;
    if (!el) {
      const m = /^(.*)\[\d+\]/.exec(path);
      el = m ? this.byId(fieldId(m[1])) : null;
    }
    if (!el) return;
    const section = el.closest(".section.collapsed");
    if (section) this.setSectionOpen(section.dataset.section, true);
    el.scrollIntoView({ block: "center" });
    el.focus({ preventScroll: true });
  }

  setSectionOpen(name, open) {
    if (open) this.collapsed.delete(name);
    else this.collapsed.add(name);
    const section = this.el.form.querySelector(`.section[data-section="${CSS.escape(name)}"]`);
    if (!section) return;
    section.classList.toggle("collapsed", !open);
    const button = section.querySelector("[data-section-toggle]");
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.querySelector(".chevron").textContent = open ? "▾" : "▸";
    this.byId(button.getAttribute("aria-controls")).hidden = !open;
  }

  /** Marks the fields with a problem (and clears those marked before), as the form does. */
  mark(problems) {
    const form = this.el.form;
    const wrapOf = (path) => form.querySelector(`[data-field="${CSS.escape(path)}"], [data-list="${CSS.escape(path)}"].list-field`);
    for (const path of this.marked) {
      const wrap = wrapOf(path);
      if (wrap) wrap.classList.remove("invalid");
      form.querySelectorAll(`[data-path="${CSS.escape(path)}"]`).forEach((c) => c.removeAttribute("aria-invalid"));
      const err = this.byId(`${fieldId(path)}-error`);
      if (err) {
        err.hidden = true;
        err.textContent = "";
      }
    }
    this.marked.clear();
    for (const { path, message } of problems) {
      if (this.marked.has(path)) continue;
      this.marked.add(path);
      const wrap = wrapOf(path);
      if (wrap) wrap.classList.add("invalid");
      form.querySelectorAll(`[data-path="${CSS.escape(path)}"]`).forEach((c) => c.setAttribute("aria-invalid", "true"));
      const err = this.byId(`${fieldId(path)}-error`);
      if (err) {
        err.textContent = message;
        err.hidden = false;
      }
    }
  }

  /** Evaluates what is entered with the protocol in use, and shows the decisions. */
  evaluate() {
    if (!this.protocol) return;
    const { json, problems } = buildDocument(this.layout, this.state);
    const key = json + "\u0000" + JSON.stringify(problems);
    if (key === this.evaluated) return;
    this.evaluated = key;
    const { output, error, all } = decideEntered(this.protocol, this.layout, json, problems);
    this.mark(all);
    const document_ = JSON.parse(json);
    if (output && !error) this.lastGood = { output, document: document_ };
    const invalid = all.length > 0 || Boolean(error);
    this.output = invalid ? null : output;
    replaceChildren(
      this.el.results,
      resultsView({
        description: this.description,
        layout: this.layout,
        output,
        error,
        problems: all,
        stale: invalid ? this.lastGood : null,
        document: document_,
        state: this.state,
      }),
    );
    this.renderStatus(invalid ? all : null, output);
  }

  /** The verdicts in short, over the preview: or the field to fix first. */
  renderStatus(problems, output) {
    let views;
    if (problems) {
      const first = problems.find((p) => p.path) || null;
      views = [
        h(
          "span",
          { class: "chip tone-stop", "data-state": "invalid" },
          h("span", { class: "icon", "aria-hidden": "true" }, "✕"),
          " Not evaluated: fix ",
          first ? h("a", { href: "#" + fieldId(first.path), "data-focus": first.path }, labelOf(this.layout, first.path)) : "the marked fields",
        ),
      ];
    } else {
      const summary = verdictSummary(this.description, output);
      views =
        summary.length === 0
          ? [h("span", { class: "chip tone-neutral" }, "No decision yet")]
          : summary.map((s) =>
              h(
                "span",
                { class: `chip tone-${s.tone}`, "data-decision": s.name, "data-verdict": s.verdict },
                h("span", { class: "icon", "aria-hidden": "true" }, s.icon),
                ` ${s.title}: `,
                h("strong", null, s.verdict.replace(/_/g, " ")),
              ),
            );
    }
    replaceChildren(this.el.status, views);
  }
}
