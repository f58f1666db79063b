// The form's model, free of the DOM: the layout generated from describe(), the values the
// prescriber entered, and the input document built from them. Nothing clinical lives here:
// paths, labels, units, ranges and choices all come from the rule file.

/** The raw value of a number field the browser could not read as a number. */
export const NOT_A_NUMBER = "\u0000not-a-number";

/** "eligible_with_cautions" -> "Eligible with cautions". */
export function humanize(id) {
  const text = String(id).replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The heading of a section: its name, or "Now" for the top-level inputs (`at`). */
export function sectionHeading(name) {
  return name === "" ? "Now" : humanize(name);
}

/** The element id of the field at an input path ("course.sessions[1].at" -> "f-course.sessions.1.at"). */
export function fieldId(path) {
  return "f-" + String(path).replace(/\[(\d*)\]/g, ".$1").replace(/[^A-Za-z0-9_.-]/g, "-");
}

/** "course.sessions[].at", 2 -> "course.sessions[2].at". */
export function itemPath(fieldPath, index) {
  return fieldPath.replace("[]", `[${index}]`);
}

/** The member name of a path's last segment ("patient.age" -> "age", "course.sessions[].at" -> "at"). */
export function leaf(path) {
  const parts = path.split(".");
  return parts[parts.length - 1];
}

/**
 * The form's layout: sections in declaration order, each with its entries in order, a field
 * or a list with its item fields. `byPath` finds an input by path (list items as `list[].x`).
 */
export function layout(description) {
  const byPath = new Map();
  const sections = [];
  for (const section of description.sections) {
    const entries = [];
    const lists = new Map();
    for (const input of section.inputs) {
      byPath.set(input.path, input);
      if (input.type === "list") {
        const entry = { kind: "list", input, fields: [] };
        lists.set(input.path, entry);
        entries.push(entry);
      } else if (input.list) {
        const entry = lists.get(input.list);
        if (entry) entry.fields.push(input);
      } else {
        entries.push({ kind: "field", input });
      }
    }
    sections.push({ name: section.name, heading: sectionHeading(section.name), entries });
  }
  return { sections, byPath };
}

/**
 * The times of the form's top section ("Now", the time the data describe): the page starts
 * them at the current time, which the prescriber can change. The engine never reads a clock.
 */
export function clockFields(lay) {
  const top = lay.sections.find((s) => s.name === "");
  return top ? top.entries.filter((e) => e.kind === "field" && e.input.type === "timestamp").map((e) => e.input) : [];
}

/**
 * What an input admits, in the form's words: a time is entered as a date and time (the
 * engine's own wording names the exchange format), a yes/no question as Yes or No.
 */
export function formExpects(input) {
  if (input.type === "timestamp") return "a date and time";
  if (input.type === "boolean") return "Yes or No";
  return input.expects;
}

/** Input paths sorted in the form's order (list items by item, then by field), unknown paths last. */
export function inFormOrder(lay, paths) {
  const order = new Map();
  let n = 0;
  for (const section of lay.sections) {
    for (const entry of section.entries) {
      order.set(entry.input.path, n++);
      if (entry.kind === "list") for (const f of entry.fields) order.set(f.path, n++);
    }
  }
  const key = (path) => {
    const m = /^(.*)\[(\d+)\]\.(.*)$/.exec(path);
    if (m) {
      const list = order.has(m[1]) ? order.get(m[1]) : Infinity;
      const field = order.get(`${m[1]}[].${m[3]}`);
      return [list, Number(m[2]), field === undefined ? Infinity : field];
    }
    return [order.has(path) ? order.get(path) : Infinity, -1, -1];
  };
  return [...paths]
    .map((p, i) => ({ p, i, k: key(p) }))
    .sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1] || a.k[2] - b.k[2] || a.i - b.i)
    .map((x) => x.p);
}

/** A fresh, empty state: every input unknown, every list empty. */
export function emptyState() {
  return { values: {}, lists: {} };
}

/** Keeps the values of `state` that `lay` still declares (after a rule file changed). */
export function keepDeclared(lay, state) {
  const next = emptyState();
  for (const section of lay.sections) {
    for (const entry of section.entries) {
      if (entry.kind === "field") {
        const raw = state.values[entry.input.path];
        if (raw !== undefined && raw !== "") next.values[entry.input.path] = raw;
      } else {
        const names = new Set(entry.fields.map((f) => leaf(f.path)));
        next.lists[entry.input.path] = (state.lists[entry.input.path] || []).map((item) =>
          Object.fromEntries(Object.entries(item).filter(([k]) => names.has(k))),
        );
      }
    }
  }
  return next;
}

/**
 * Sets the raw value a control gives for an input path in `state` ("" makes it unknown): a
 * top-level field, or a member of a list item (`course.sessions[1].at`).
 */
export function setRaw(state, path, raw) {
  const m = /^(.*)\[(\d+)\]\.(.*)$/.exec(path);
  if (m) {
    const item = (state.lists[m[1]] || [])[Number(m[2])];
    if (!item) return;
    if (raw === "") delete item[m[3]];
    else item[m[3]] = raw;
  } else if (raw === "") {
    delete state.values[path];
  } else {
    state.values[path] = raw;
  }
}

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * A number as the prescriber typed it, made into a JSON number without changing its digits
 * ("68.50" stays "68.50"; ".5" becomes "0.5", "007" becomes "7"); null if it is not a number.
 */
export function jsonNumber(raw) {
  let text = String(raw).trim();
  if (text.startsWith("+")) text = text.slice(1);
  const negative = text.startsWith("-");
  if (negative) text = text.slice(1);
  if (text.startsWith(".")) text = "0" + text;
  text = text.replace(/^0+(?=\d)/, "");
  text = (negative ? "-" : "") + text;
  return JSON_NUMBER.test(text) ? text : null;
}

/** Why a raw value does not fit its input (null when it fits, or is empty). */
export function problemOf(input, raw) {
  if (raw === undefined || raw === "") return null;
  const expects = formExpects(input);
  if (raw === NOT_A_NUMBER) return `not a number; expected ${expects}`;
  switch (input.type) {
    case "integer":
    case "decimal": {
      const text = jsonNumber(raw);
      if (text === null) return `"${raw}" is not a number; expected ${expects}`;
      const n = Number(text);
      if (!Number.isFinite(n)) return `${raw} is not a finite number; expected ${expects}`;
      if (input.type === "integer" && !Number.isInteger(n)) return `${raw} is not a whole number; expected ${expects}`;
      if ((input.min !== undefined && n < input.min) || (input.max !== undefined && n > input.max)) {
        return `${raw} is out of range; expected ${expects}`;
      }
      return null;
    }
    case "boolean":
      return raw === "true" || raw === "false" ? null : `expected ${expects}`;
    case "choice":
      return (input.choices || []).includes(raw) ? null : `"${raw}" is not a choice; expected ${expects}`;
    case "timestamp":
      return Number.isNaN(Date.parse(raw)) ? `"${raw}" is not a date and time; expected ${expects}` : null;
    default:
      return null;
  }
}

function encode(input, raw) {
  switch (input.type) {
    case "boolean":
      return raw === "true" ? "true" : "false";
    case "integer":
    case "decimal":
      return jsonNumber(raw);
    default:
      return JSON.stringify(String(raw));
  }
}

/**
 * The input document as JSON text (numbers written with the digits typed), and the
 * problems found on the way: [{path, message}]. A section is in the document when one of
 * its inputs has a value or one of its lists has an item; then each of its lists is
 * written, empty if need be (the structure is required, the values are not). Values with a
 * problem are still written when they can be (an out-of-range number), so that the engine
 * reports them too; a value that cannot be written (not a number) is left out.
 */
export function buildDocument(lay, state) {
  const problems = [];
  const root = [];
  const member = (name, text) => `${JSON.stringify(name)}:${text}`;
  const fieldMember = (input, path, raw) => {
    if (raw === undefined || raw === "") return null;
    const problem = problemOf(input, raw);
    if (problem) problems.push({ path, message: problem });
    const text = raw === NOT_A_NUMBER ? null : encode(input, raw);
    return text === null ? null : member(leaf(input.path), text);
  };
  for (const section of lay.sections) {
    const members = [];
    let present = false;
    for (const entry of section.entries) {
      if (entry.kind === "field") {
        const m = fieldMember(entry.input, entry.input.path, state.values[entry.input.path]);
        if (m !== null) members.push(m);
        if (state.values[entry.input.path] !== undefined && state.values[entry.input.path] !== "") present = true;
      } else {
        const items = state.lists[entry.input.path] || [];
        if (items.length > 0) present = true;
        const texts = items.map((item, i) => {
          const ms = [];
          for (const f of entry.fields) {
            const m = fieldMember(f, itemPath(f.path, i), item[leaf(f.path)]);
            if (m !== null) ms.push(m);
          }
          return `{${ms.join(",")}}`;
        });
        members.push(member(leaf(entry.input.path), `[${texts.join(",")}]`));
      }
    }
    if (section.name === "") {
      root.push(...members.filter((m) => m !== null));
    } else if (present) {
      root.push(member(section.name, `{${members.join(",")}}`));
    }
  }
  return { json: `{${root.join(",")}}`, problems };
}

/** `text` parsed with each number given to `keep` as written (the number, where a browser gives no source text). */
function parseExact(text, keep) {
  return JSON.parse(text, (key, value, context) =>
    typeof value === "number" && context && typeof context.source === "string" ? keep(context.source) : value,
  );
}

/**
 * A document's JSON text parsed with each number kept as written (its source text), not as a
 * JavaScript number: 35.0000000000000001 would be 35, and the form would show and send a
 * value the document does not hold.
 */
export function parseDocument(text) {
  return parseExact(text, (source) => source);
}

/**
 * A document's JSON text laid out for a person (two spaces), each number written as it is in
 * `text`; `text` itself where the browser cannot write a number's digits as they are.
 */
export function prettyDocument(text) {
  return typeof JSON.rawJSON === "function" ? JSON.stringify(parseExact(text, JSON.rawJSON), null, 2) : text;
}

/** A state holding the values of a parsed input document (to open a saved document). */
export function stateFromDocument(lay, doc) {
  const state = emptyState();
  const raw = (input, value) => {
    if (value === undefined || value === null) return undefined;
    if (input.type === "boolean") return value === true ? "true" : value === false ? "false" : String(value);
    return String(value);
  };
  const lookup = (obj, path) => path.split(".").reduce((o, k) => (o && typeof o === "object" ? o[k] : undefined), obj);
  for (const section of lay.sections) {
    for (const entry of section.entries) {
      if (entry.kind === "field") {
        const v = raw(entry.input, lookup(doc, entry.input.path));
        if (v !== undefined) state.values[entry.input.path] = v;
      } else {
        const items = lookup(doc, entry.input.path);
        state.lists[entry.input.path] = Array.isArray(items)
          ? items.map((item) => {
              const out = {};
              for (const f of entry.fields) {
                const v = raw(f, item && typeof item === "object" ? item[leaf(f.path)] : undefined);
                if (v !== undefined) out[leaf(f.path)] = v;
              }
              return out;
            })
          : [];
      }
    }
  }
  return state;
}

/** The label of an input path, list items numbered ("Readings #2: Systolic pressure"). */
export function labelOf(lay, path) {
  const m = /^(.*)\[(\d+)\]\.(.*)$/.exec(path);
  if (m) {
    const list = lay.byPath.get(m[1]);
    const field = lay.byPath.get(`${m[1]}[].${m[3]}`);
    if (list && field) return `${list.label} #${Number(m[2]) + 1}: ${field.label}`;
  }
  const input = lay.byPath.get(path);
  return input ? input.label : path;
}

/** The entered values, labelled, in form order: [{path, label, value, unit}] (for the printed summary). */
export function enteredValues(lay, state) {
  const out = [];
  const show = (input, raw) => {
    if (input.type === "boolean") return raw === "true" ? "yes" : raw === "false" ? "no" : raw;
    return raw === NOT_A_NUMBER ? "(not a number)" : raw;
  };
  for (const section of lay.sections) {
    for (const entry of section.entries) {
      if (entry.kind === "field") {
        const raw = state.values[entry.input.path];
        if (raw !== undefined && raw !== "") {
          out.push({ path: entry.input.path, label: entry.input.label, value: show(entry.input, raw), unit: entry.input.unit });
        }
      } else {
        (state.lists[entry.input.path] || []).forEach((item, i) => {
          for (const f of entry.fields) {
            const r = item[leaf(f.path)];
            if (r !== undefined && r !== "") {
              const path = itemPath(f.path, i);
              out.push({ path, label: labelOf(lay, path), value: show(f, r), unit: f.unit });
            }
          }
        });
      }
    }
  }
  return out;
}
