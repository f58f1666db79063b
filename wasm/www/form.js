// The form, generated from the layout (model.js) as a view (dom.js): one fieldset per
// section, one control per input, with its label, unit, range, choices and help taken from
// describe(). Booleans are tri-state (unknown / yes / no): an unanswered question is
// unknown, never false. Lists have items added and removed.

import { h } from "./dom.js";
import { fieldId, itemPath, leaf, formExpects } from "./model.js";
import { formatTime } from "./results.js";

/** How a time shown in local time reads in UTC, under its field: "= 2026-11-20 09:15 UTC". */
export function utcText(utc) {
  return utc ? `= ${formatTime(utc)}` : "";
}

/** "2026-11-20T10:15" (local, as datetime-local gives it) -> "2026-11-20T09:15:00Z" (UTC). */
export function localToUtc(local) {
  if (!local) return "";
  const t = new Date(local);
  if (Number.isNaN(t.getTime())) return "";
  return t.toISOString().replace(/\.000Z$/, "Z");
}

/** An RFC 3339 time -> the local "YYYY-MM-DDTHH:MM[:SS]" a datetime-local control shows. */
export function utcToLocal(rfc3339) {
  const t = new Date(rfc3339);
  if (!rfc3339 || Number.isNaN(t.getTime())) return "";
  const pad = (n) => String(n).padStart(2, "0");
  const base = `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}T${pad(t.getHours())}:${pad(t.getMinutes())}`;
  return t.getSeconds() ? `${base}:${pad(t.getSeconds())}` : base;
}

function describedBy(id, input) {
  const expects = input.type === "boolean" || input.type === "choice" ? null : `${id}-expects`;
  return [input.help ? `${id}-help` : null, expects, `${id}-error`].filter(Boolean).join(" ");
}

function helpLines(id, input, { clock = false } = {}) {
  return [
    input.help ? h("p", { class: "help", id: `${id}-help` }, input.help) : null,
    // Booleans and choices show what they admit; numbers and times say it.
    input.type === "boolean" || input.type === "choice"
      ? null
      : h(
          "p",
          { class: "expects", id: `${id}-expects` },
          `Expects ${formExpects(input)}.`,
          clock ? " Set to the current time when the form opened; change it to decide for another time." : "",
        ),
    h("p", { class: "field-error", id: `${id}-error`, role: "alert", hidden: true }),
  ];
}

function labelText(input) {
  return [input.label, input.unit ? h("span", { class: "unit" }, ` (${input.unit})`) : null];
}

/** One control for `input`, at `path` (list items have their index in it), showing `raw`. */
export function fieldView(input, path, raw, { clock = false } = {}) {
  const id = fieldId(path);
  const common = { "data-path": path, "data-type": input.type, "aria-describedby": describedBy(id, input) };
  if (input.type === "boolean") {
    const value = raw === "true" || raw === "false" ? raw : "";
    const option = (v, text) =>
      h(
        "label",
        { class: "tri-option" },
        h("input", { ...common, type: "radio", name: id, value: v, checked: value === v, id: v === "" ? id : `${id}-${v}` }),
        h("span", null, text),
      );
    return h(
      "fieldset",
      { class: "field tri", "data-field": path, id: `${id}-group` },
      h("legend", null, labelText(input)),
      h("div", { class: "tri-options" }, option("", "Unknown"), option("true", "Yes"), option("false", "No")),
      helpLines(id, input),
    );
  }
  let control;
  if (input.type === "choice") {
    control = h(
      "select",
      { ...common, id },
      h("option", { value: "", selected: !raw }, "Unknown"),
      (input.choices || []).map((c) => h("option", { value: c, selected: raw === c }, c)),
    );
  } else if (input.type === "integer" || input.type === "decimal") {
    // A text field with a numeric keyboard, checked by the form (model.js problemOf): what
    // was typed stays visible, and "7x" is said not to be a number, where a number input
    // would drop the letters without a word.
    control = h("input", {
      ...common,
      id,
      type: "text",
      inputmode: input.type === "integer" ? "numeric" : "decimal",
      value: raw && !raw.startsWith("\u0000") ? raw : "",
      autocomplete: "off",
      spellcheck: "false",
    });
  } else if (input.type === "timestamp") {
    control = h(
      "span",
      { class: "time" },
      h("input", { ...common, id, type: "datetime-local", step: "1", value: raw ? utcToLocal(raw) : "" }),
      h("button", { type: "button", class: "small", "data-now": path, "aria-label": `Now: set ${input.label} to the current time` }, "Now"),
      h("output", { class: "utc", for: id, id: `${id}-utc` }, utcText(raw)),
    );
  } else {
    control = h("input", { ...common, id, type: "text", value: raw || "" });
  }
  return h("div", { class: `field ${input.type}`, "data-field": path }, h("label", { for: id }, labelText(input)), control, helpLines(id, input, { clock }));
}

/** The items of a list, each with its fields and a remove button, and the add button. */
export function listView(entry, items) {
  const list = entry.input;
  const id = fieldId(list.path);
  const max = list.max === undefined ? Infinity : list.max;
  return h(
    "fieldset",
    { class: "list-field", "data-list": list.path, id: `${id}-group` },
    h("legend", null, list.label, h("span", { class: "count" }, ` (${items.length}${max !== Infinity ? ` of at most ${max}` : ""})`)),
    list.help ? h("p", { class: "help" }, list.help) : null,
    h("p", { class: "field-error", id: `${id}-error`, role: "alert", hidden: true }),
    items.map((item, i) =>
      h(
        "fieldset",
        { class: "item", "data-item": i },
        h("legend", null, `${list.label} #${i + 1}`),
        h(
          "div",
          { class: "grid" },
          entry.fields.map((f) => fieldView(f, itemPath(f.path, i), item[leaf(f.path)])),
        ),
        h(
          "button",
          { type: "button", class: "remove", "data-remove": list.path, "data-index": i, "aria-label": `Remove #${i + 1} of ${list.label}` },
          "Remove #" + (i + 1),
        ),
      ),
    ),
    h(
      "button",
      { type: "button", class: "add", "data-add": list.path, id, disabled: items.length >= max, "aria-label": `Add an item to ${list.label}` },
      "+ Add",
    ),
  );
}

/**
 * The whole form: one section per section of the rule file, in declaration order. Each can be
 * collapsed by the button that is its heading (the disclosure pattern: a button with
 * aria-expanded inside the h2); `collapsed` holds the names of the sections collapsed, which
 * the page keeps across renderings.
 */
export function formView(lay, state, { collapsed = new Set() } = {}) {
  return lay.sections.map((section) => {
    const key = section.name || "now";
    const open = !collapsed.has(section.name);
    return h(
      "section",
      { class: open ? "section" : "section collapsed", "data-section": section.name, "aria-labelledby": `sec-${key}` },
      h(
        "h2",
        null,
        h(
          "button",
          { type: "button", class: "section-toggle", id: `sec-${key}`, "data-section-toggle": section.name, "aria-expanded": open ? "true" : "false", "aria-controls": `sec-${key}-body` },
          h("span", { class: "chevron", "aria-hidden": "true" }, open ? "▾" : "▸"),
          " ",
          section.heading,
        ),
      ),
      h(
        "div",
        { class: "grid", id: `sec-${key}-body`, hidden: !open },
        section.entries.map((entry) =>
          entry.kind === "field"
            ? fieldView(entry.input, entry.input.path, state.values[entry.input.path], { clock: section.name === "" && entry.input.type === "timestamp" })
            : listView(entry, state.lists[entry.input.path] || []),
        ),
      ),
    );
  });
}
