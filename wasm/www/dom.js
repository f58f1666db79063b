// A tiny virtual DOM: views are plain objects built with h(), turned into real elements in
// the page (toDom) and inspected as text in Node tests (textOf, findAll). Text is always set
// as text, never parsed as HTML, so nothing from a rule file can inject markup.

/** An element: h("p", { class: "x", onclick: fn }, "text", child...). */
export function h(tag, attrs, ...children) {
  return { tag, attrs: attrs || {}, children: flatten(children) };
}

function flatten(children) {
  const out = [];
  for (const c of children) {
    if (c === null || c === undefined || c === false || c === true) continue;
    if (Array.isArray(c)) out.push(...flatten(c));
    else if (typeof c === "object") out.push(c);
    else out.push(String(c));
  }
  return out;
}

/** Builds real DOM nodes from a view (in a page). */
export function toDom(node, doc = document) {
  if (typeof node === "string") return doc.createTextNode(node);
  const el = doc.createElement(node.tag);
  for (const [key, value] of Object.entries(node.attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === "class") {
      el.className = value;
    } else if (key === "value" && "value" in el) {
      el.value = value;
    } else if (key === "checked" || key === "selected") {
      el[key] = Boolean(value);
      if (value) el.setAttribute(key, "");
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  for (const child of node.children) el.appendChild(toDom(child, doc));
  return el;
}

/** The text of a view, its children's text joined (with spaces between block-ish nodes). */
export function textOf(node) {
  if (typeof node === "string") return node;
  const inner = node.children.map(textOf).join("");
  return /^(p|li|div|h\d|dt|dd|tr|td|th|section|article|ul|ol|dl|table|summary)$/.test(node.tag) ? ` ${inner} ` : inner;
}

/** Every node of a view that `test` accepts, depth first. */
export function findAll(node, test, out = []) {
  if (typeof node === "string") return out;
  if (test(node)) out.push(node);
  for (const c of node.children) findAll(c, test, out);
  return out;
}
