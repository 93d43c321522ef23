// @ts-check
// The SQL editor: CodeMirror 6 with MySQL highlighting, bundled into
// www/dist/ by scripts/build-www.sh (no CDN).
//
// The editor lives in a shadow root: CodeMirror's style-mod then installs its
// styles as a constructed stylesheet (adoptedStyleSheets) instead of a
// <style> element, which the page's CSP (`style-src 'self'`) would block.
// Colours come from the page's CSS custom properties, which inherit into the
// shadow root, so light and dark themes follow the page.

import { EditorView, keymap, lineNumbers, highlightActiveLine, drawSelection, placeholder as placeholderExt, showPanel } from "@codemirror/view";
import { EditorState, Compartment, StateEffect, StateField } from "@codemirror/state";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { syntaxHighlighting, HighlightStyle, bracketMatching, indentOnInput } from "@codemirror/language";
import { sql, MySQL } from "@codemirror/lang-sql";
import { Decoration } from "@codemirror/view";
import { tags as t } from "@lezer/highlight";

const highlight = HighlightStyle.define([
  { tag: t.keyword, color: "var(--syn-keyword)", fontWeight: "600" },
  { tag: [t.string, t.special(t.string)], color: "var(--syn-string)" },
  { tag: [t.number, t.bool, t.null], color: "var(--syn-number)" },
  { tag: [t.lineComment, t.blockComment, t.comment], color: "var(--syn-comment)", fontStyle: "italic" },
  { tag: [t.typeName, t.standard(t.name)], color: "var(--syn-type)" },
  { tag: [t.operator, t.punctuation], color: "var(--syn-punct)" },
  { tag: t.special(t.name), color: "var(--syn-type)" },
]);

const theme = EditorView.theme({
  "&": {
    color: "var(--fg)",
    backgroundColor: "var(--bg-editor)",
    fontSize: "14px",
    height: "100%",
  },
  "&.cm-focused": { outline: "2px solid var(--focus)", outlineOffset: "-2px" },
  ".cm-scroller": { fontFamily: "var(--mono)", lineHeight: "1.5" },
  ".cm-content": { caretColor: "var(--fg)", padding: "8px 0" },
  ".cm-gutters": {
    backgroundColor: "var(--bg-editor)",
    color: "var(--fg-muted)",
    border: "none",
    borderRight: "1px solid var(--border)",
  },
  ".cm-activeLine": { backgroundColor: "var(--bg-active-line)" },
  ".cm-activeLineGutter": { backgroundColor: "var(--bg-active-line)" },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection": {
    backgroundColor: "var(--selection) !important",
  },
  ".cm-cursor": { borderLeftColor: "var(--fg)" },
  ".cm-error-mark": {
    textDecoration: "underline wavy var(--danger)",
    backgroundColor: "var(--danger-bg)",
  },
  ".cm-placeholder": { color: "var(--fg-muted)" },
  ".cm-panels": { backgroundColor: "var(--bg-editor)", color: "var(--fg-muted)" },
  ".cm-panels-bottom": { borderTop: "1px solid var(--border)" },
  ".cm-keyhint": { fontSize: "12px", padding: "2px 8px" },
});

/**
 * The keyboard hint under an editable editor: Tab indents there, so it says
 * how to leave (CodeMirror's own convention: Escape, then Tab
 * within two seconds, moves focus on). The content element is described by
 * it (aria-describedby; both live in the same shadow root).
 */
function keyHint(id, readOnly) {
  if (readOnly) return [];
  return [
    showPanel.of(() => {
      const dom = document.createElement("div");
      dom.className = "cm-keyhint";
      dom.id = id;
      dom.textContent = "Tab indents · Esc then Tab leaves the editor";
      return { dom, top: false };
    }),
    EditorView.contentAttributes.of({ "aria-describedby": id }),
  ];
}

/** @type {import("@codemirror/state").StateEffectType<{from: number, to: number} | null>} */
const setError = StateEffect.define();
const errorField = StateField.define({
  create: () => Decoration.none,
  update(deco, tr) {
    deco = deco.map(tr.changes);
    for (const e of tr.effects) {
      if (e.is(setError)) {
        deco = e.value
          ? Decoration.set([Decoration.mark({ class: "cm-error-mark" }).range(e.value.from, e.value.to)])
          : Decoration.none;
      }
    }
    if (tr.docChanged) return Decoration.none;
    return deco;
  },
  provide: (f) => EditorView.decorations.from(f),
});

/**
 * Creates an editor inside `host` (a shadow root is attached to it).
 * @param {HTMLElement} host
 * @param {{doc?: string, label: string, onRun: () => void, onHistory: (dir: number) => string|null, readOnly?: boolean, placeholder?: string}} o
 */
export function createEditor(host, { doc = "", label, onRun, onHistory, readOnly = false, placeholder = "" }) {
  const shadow = host.shadowRoot ?? host.attachShadow({ mode: "open" });
  const mount = document.createElement("div");
  mount.className = "editor-mount";
  // The editor fills its host, so the key hint panel sits at the bottom and
  // the text scrolls above it (a CSSOM style, which the page's CSP allows).
  mount.style.height = "100%";
  shadow.append(mount);
  const ro = new Compartment();
  const hintId = `cm-keyhint-${Math.random().toString(36).slice(2)}`;
  const editable = (flag) => [EditorState.readOnly.of(flag), EditorView.editable.of(!flag), keyHint(hintId, flag)];

  const run = () => {
    onRun();
    return true;
  };
  const hist = (dir) => (view) => {
    const text = onHistory(dir);
    if (text === null || text === undefined) return false;
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text }, selection: { anchor: text.length } });
    return true;
  };

  const view = new EditorView({
    root: shadow,
    parent: mount,
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(),
        history(),
        drawSelection(),
        highlightActiveLine(),
        bracketMatching(),
        indentOnInput(),
        sql({ dialect: MySQL, upperCaseKeywords: true }),
        syntaxHighlighting(highlight),
        theme,
        // Long lines wrap: a statement (e.g. the tutorial's AS OF timestamp) is never cut off.
        EditorView.lineWrapping,
        errorField,
        placeholderExt(placeholder),
        keymap.of([
          { key: "Mod-Enter", run, preventDefault: true },
          { key: "Shift-Enter", run, preventDefault: true },
          { key: "Mod-ArrowUp", run: hist(-1), preventDefault: true },
          { key: "Mod-ArrowDown", run: hist(1), preventDefault: true },
          ...defaultKeymap,
          ...historyKeymap,
          indentWithTab,
        ]),
        ro.of(editable(readOnly)),
        // tabindex: contenteditable is focusable anyway; said explicitly, the scroller around it reads as keyboard-reachable (axe scrollable-region-focusable).
        EditorView.contentAttributes.of({ "aria-label": label, "aria-multiline": "true", role: "textbox", tabindex: "0" }),
      ],
    }),
  });

  return {
    view,
    get value() {
      return view.state.doc.toString();
    },
    set value(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    focus() {
      view.focus();
    },
    setReadOnly(flag) {
      view.dispatch({ effects: ro.reconfigure(editable(flag)) });
    },
    /** Underlines [from, to) as the error and puts the cursor there; null clears. */
    markError(range) {
      if (!range) {
        view.dispatch({ effects: setError.of(null) });
        return;
      }
      const len = view.state.doc.length;
      const from = Math.max(0, Math.min(range.from, len));
      let to = Math.max(from, Math.min(range.to, len));
      if (to === from && to < len) to = from + 1;
      view.dispatch({
        effects: setError.of(to > from ? { from, to } : null),
        selection: { anchor: from },
        scrollIntoView: true,
      });
    },
    /** The document offset of 1-based (line, column) within the text that starts at `base`. */
    offsetOf(base, line, column) {
      const start = view.state.doc.lineAt(base);
      const target = Math.min(view.state.doc.lines, start.number + line - 1);
      const l = view.state.doc.line(target);
      const col0 = line === 1 ? base - start.from : 0;
      return Math.min(l.to, l.from + col0 + column - 1);
    },
  };
}
