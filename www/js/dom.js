// @ts-check
// Building the page's elements. Everything the database says is written
// with textContent: the page never builds HTML from strings.

/**
 * Creates an element: h("button.primary", {type: "button"}, "Run").
 * Attributes: `on` (event listeners), `text` (textContent), properties
 * (non-string values of names the element has), else attributes;
 * undefined, null and false are left out.
 * @param {string} spec tag and classes, "tag.class1.class2"
 * @param {Record<string, any>} [attrs]
 * @param {...(Node | string | null | undefined)} children
 * @returns {any} the element (typed loosely: callers know its tag)
 */
export function h(spec, attrs = {}, ...children) {
  const [tag, ...classes] = spec.split(".");
  /** @type {any} */
  const e = document.createElement(tag || "div");
  if (classes.length) e.className = classes.join(" ");
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "on") for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn);
    else if (k === "text") e.textContent = v;
    else if (k in e && typeof v !== "string") e[k] = v;
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

/** Resolves after the next paint. @returns {Promise<void>} */
export const nextFrame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
