// @ts-check
// The timeline scrubber: commits as ticks, backtracks as jumps (an arc from
// the time a backtrack happened back to the time it rewound to), restore
// points as labelled flags; the left edge is the earliest time the window
// can reach, the right edge is now.
//
// Two axes: wall-clock time, or "changes only" (`setMode("changes")`), where
// every instant at which something changed gets the same width and idle
// stretches take none. Labels (backtrack arcs, restore-point flags, axis
// times) are laid out in rows so that none overlaps another or leaves the
// lane; what does not fit is folded into a "+N" on its nearest neighbour.
//
// It is an ARIA slider: arrow keys step change by change, PageUp/PageDown
// ten changes at a time, Home goes to the earliest time, End or Escape back
// to now, Enter asks to backtrack to the shown time (`onCommit(us)`). Dragging calls `onPreview(us)` (null: now);
// releasing the handle keeps the preview and commits nothing: backtracking
// is always an explicit step (Enter here, or the page's Backtrack button).

import { formatTime, clockPart } from "./time.js";
import { entryAt } from "./timeline.js";

/**
 * Lays out labels in `rows` rows of a strip `width` px wide: each item
 * ({x, w, align: "start"|"center"|"end"}) gets `row` and `left` (px), or
 * `row = -1` when it fits in no row without overlapping a label already
 * placed (`taken`: per row, the [from, to] intervals in use) or the edges.
 * Items are placed in the order given.
 * @typedef {{el?: HTMLElement, x: number, w?: number, align: string, row?: number, left?: number}} Label
 * @param {Label[]} items
 * @param {number} width
 * @param {number} rows
 * @param {number} [gap]
 * @param {[number, number][][]} [taken]
 */
export function placeRows(items, width, rows, gap = 6, taken = Array.from({ length: rows }, () => [])) {
  for (const it of items) {
    it.row = -1;
    if (it.w > width) continue;
    let a = it.align === "start" ? it.x : it.align === "end" ? it.x - it.w : it.x - it.w / 2;
    a = Math.max(0, Math.min(a, width - it.w));
    const b = a + it.w;
    for (let r = 0; r < rows; r++) {
      if (taken[r].every(([p, q]) => b + gap <= p || a >= q + gap)) {
        taken[r].push([a, b]);
        it.row = r;
        it.left = a;
        break;
      }
    }
  }
  return taken;
}

/**
 * Places the labels of `items` ({el, x, text, align}, sorted by x) in rows;
 * a label that fits nowhere is hidden and counted on its nearest shown
 * neighbour ("↶ 14:49 +3"), which is laid out again with its count, until
 * every shown label fits. Returns the number of rows used.
 */
function collapseLabels(items, width, rows) {
  const shown = new Set(items);
  for (;;) {
    const list = items.filter((it) => shown.has(it));
    for (const it of list) it.more = [];
    for (const it of items) {
      if (shown.has(it) || !list.length) continue;
      let best = list[0];
      for (const o of list) if (Math.abs(o.x - it.x) < Math.abs(best.x - it.x)) best = o;
      best.more.push(it);
    }
    for (const it of items) it.el.hidden = !shown.has(it);
    for (const it of list) {
      it.el.textContent = it.more.length ? `${it.text} +${it.more.length}` : it.text;
      it.el.title = [it.title, ...it.more.map((o) => o.title)].join("\n");
    }
    for (const it of list) it.w = it.el.offsetWidth;
    placeRows(list, width, rows);
    const lost = list.filter((it) => it.row < 0);
    if (!lost.length) {
      for (const it of list) {
        it.el.style.left = `${it.left}px`;
        it.el.style.setProperty("--row", String(it.row));
      }
      return list.reduce((m, it) => Math.max(m, it.row + 1), 0);
    }
    // The labels that did not fit are counted on a neighbour; a few at a
    // time keeps the most labels, all at once bounds the rounds for many.
    for (const it of lost.length > 4 ? lost : [lost.at(-1)]) shown.delete(it);
  }
}

/**
 * The ticks to draw: one per entry at or after `left`, at most one of each
 * kind per pixel column of a track `width` px wide (10k commits stay cheap).
 * @param {{us: number, kind: string}[]} entries in time order
 * @param {number} left the axis's left edge (µs)
 * @param {(us: number) => number} frac where a time is drawn (fraction of the width)
 * @param {number} width
 * @returns {{x: number, kind: string}[]} `x`: fraction of the width
 */
export function tickMarks(entries, left, frac, width) {
  const seen = new Set();
  const out = [];
  for (const e of entries) {
    if (e.us < left) continue;
    const x = frac(e.us);
    const key = `${Math.round(x * width)}:${e.kind}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ x, kind: e.kind });
  }
  return out;
}

/**
 * Where stepping `n` changes back (`dir` -1) or forward (+1) from `pos`
 * (null: now) lands: the instants are the left edge, each distinct change
 * time after it, and now (null, the last change).
 * @param {number[]} times distinct change times, ascending
 * @param {number} left
 * @param {number | null} pos
 * @param {number} dir
 * @param {number} [n]
 * @returns {number | null}
 */
export function stepTarget(times, left, pos, dir, n = 1) {
  const marks = [left, ...times.filter((x) => x > left && x < times[times.length - 1])];
  const cur = pos ?? Infinity;
  // The index of the last mark at or before the handle.
  let i = -1;
  while (i + 1 < marks.length && marks[i + 1] <= cur) i++;
  let j;
  if (dir < 0) j = marks[i] < cur ? i - (n - 1) : i - n;
  else j = i + n;
  return j >= marks.length ? null : marks[Math.max(0, j)];
}

const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

export class Scrubber {
  constructor({ onPreview, onCommit, onRest = undefined, label = "Timeline" }) {
    this.onPreview = onPreview;
    /** @type {((us: number | null) => void) | undefined} the handle stopped moving (a drag or playback ended) at `us` */
    this.onRest = onRest;
    this.onCommit = onCommit;
    this.entries = [];
    this.times = []; // distinct entry times (µs), ascending
    this.left = 0;
    this.right = 1;
    this.pos = null; // µs, or null for now
    this.playing = null;
    this.dragging = false;
    this.mode = "time"; // or "changes"
    this.stops = [0, 1]; // µs of the axis's fixed points, ascending ...
    this.fracs = [0, 1]; // ... and their fractions of the width
    this.data = null;

    this.el = el("div", "scrubber");
    this.track = el("div", "scrub-track");
    this.track.tabIndex = 0;
    this.track.setAttribute("role", "slider");
    this.track.setAttribute("aria-label", label);
    this.track.setAttribute("aria-orientation", "horizontal");
    this.jumps = el("div", "scrub-jumps");
    this.jumps.setAttribute("aria-hidden", "true");
    this.jumpLabels = el("div", "scrub-jump-labels");
    this.jumpLabels.setAttribute("aria-hidden", "true");
    this.ticks = el("div", "scrub-ticks");
    this.ticks.setAttribute("aria-hidden", "true");
    this.flags = el("div", "scrub-flags");
    this.future = el("div", "scrub-future");
    this.future.setAttribute("aria-hidden", "true");
    this.thumb = el("div", "scrub-thumb");
    this.thumb.setAttribute("aria-hidden", "true");
    this.track.append(this.future, this.ticks, this.thumb);
    this.axis = el("div", "scrub-axis");
    this.axisLeft = el("span", "scrub-axis-left");
    this.axisRight = el("span", "scrub-axis-right");
    this.axisTimes = el("div", "scrub-axis-times");
    this.axisTimes.setAttribute("aria-hidden", "true");
    this.axis.append(this.axisLeft, this.axisRight, this.axisTimes);
    this.modeButton = el("button", "rp-btn scrub-mode", "Changes only");
    this.modeButton.type = "button";
    this.modeButton.setAttribute("aria-pressed", "false");
    this.modeButton.title = "Axis: only the instants where something changed (idle time compressed)";
    this.modeButton.addEventListener("click", () => this.setMode(this.mode === "time" ? "changes" : "time"));
    this.tip = el("div", "scrub-tip");
    this.tip.setAttribute("role", "tooltip");
    this.tip.id = `scrub-tip-${Math.random().toString(36).slice(2)}`;
    this.tip.hidden = true;
    const lane = el("div", "scrub-lane");
    lane.append(this.jumpLabels, this.jumps, this.flags, this.track, this.tip);
    this.tipF = 0;
    this.tipW = 0;
    this.laneW = 0;
    if (typeof ResizeObserver === "function") {
      const sizes = new ResizeObserver((changes) => {
        for (const c of changes) {
          const width = c.borderBoxSize?.[0]?.inlineSize ?? c.contentRect.width;
          if (c.target === this.tip) this.tipW = width;
          else if (width !== this.laneW) {
            this.laneW = width;
            // Another width: the labels are laid out again (a height change is not).
            if (this.data) this.layoutLabels();
          }
        }
        this.positionTip();
      });
      sizes.observe(lane);
      sizes.observe(this.tip);
    }
    this.el.append(lane, this.axis);

    this.track.addEventListener("pointerdown", (e) => this.down(e));
    this.track.addEventListener("pointermove", (e) => this.move(e));
    this.track.addEventListener("pointerup", (e) => this.up(e));
    this.track.addEventListener("pointercancel", () => this.cancelDrag());
    this.track.addEventListener("pointerleave", () => {
      if (!this.dragging) this.hideTip();
    });
    this.track.addEventListener("keydown", (e) => this.key(e));
    this.track.addEventListener("focus", () => this.showTipAt(this.pos ?? this.right, true));
    this.track.addEventListener("blur", () => this.hideTip());
  }

  /** @param {{entries: {seq:number, us:number, time:string, kind:string, summary:string, rowsChanged:number}[], backtracks: {target:string, from:string, targetUs:number, fromUs:number, status:string}[], restorePoints: {name:string, us:number, time:string}[], left:number, right:number, earliest?:number}} d */
  setData(d) {
    const { entries, backtracks, restorePoints, left, right, earliest } = d;
    this.data = d;
    this.entries = entries;
    this.times = [...new Set(entries.map((e) => e.us))].sort((a, b) => a - b);
    this.left = left;
    this.right = Math.max(right, left + 1);
    this.setStops();
    this.track.setAttribute("aria-valuemin", String(Math.floor(this.left / 1e6)));
    this.track.setAttribute("aria-valuemax", String(Math.floor(this.right / 1e6)));
    // The left edge is the earliest reachable time, or (when the window
    // reaches further back) a moment before the first change. Times are
    // shown without their date when both edges are on the same day.
    const leftUs = Math.ceil(this.left / 1e6) * 1e6;
    const rightUs = Math.floor(this.right / 1e6) * 1e6;
    const sameDay = formatTime(leftUs).slice(0, 10) === formatTime(rightUs).slice(0, 10);
    this.short = (us) => (sameDay ? clockPart(us) : formatTime(us));
    const leftText = this.short(leftUs);
    this.axisLeft.textContent =
      earliest !== undefined && this.left > earliest ? `${leftText} · before the first change` : `earliest ${leftText}`;
    this.axisLeft.title = formatTime(leftUs);
    this.axisRight.textContent = `now ${this.short(rightUs)}`;
    this.axisRight.title = formatTime(rightUs);

    // Ticks: at most one per pixel column worth of width, so 10k commits stay cheap.
    const width = this.track.clientWidth || 800;
    const frag = document.createDocumentFragment();
    for (const { x, kind } of tickMarks(entries, this.left, (us) => this.frac(us), width)) {
      const t = el("div", `scrub-tick scrub-tick-${kind}`);
      t.style.setProperty("--x", String(x));
      frag.append(t);
    }
    this.ticks.replaceChildren(frag);

    const jumps = document.createDocumentFragment();
    const jumpLabels = document.createDocumentFragment();
    this.jumpItems = [];
    for (const b of backtracks) {
      // Both ends inside the lane: a failed target before the earliest time
      // or after now is drawn at the edge.
      const a = this.frac(b.targetUs);
      const z = this.frac(b.fromUs);
      const j = el("div", `scrub-jump${b.status === "completed" ? "" : " scrub-jump-failed"}`);
      j.style.setProperty("--a", String(Math.min(a, z)));
      j.style.setProperty("--w", String(Math.max(Math.abs(z - a), 0.004)));
      j.title = `Backtrack at ${b.from} to ${b.target}`;
      jumps.append(j);
      const lbl = el("span", `scrub-jump-label${b.status === "completed" ? "" : " scrub-jump-label-failed"}`);
      jumpLabels.append(lbl);
      this.jumpItems.push({ el: lbl, f: a, text: `↶ ${clockPart(b.targetUs)}`, title: `Backtrack at ${b.from} to ${b.target} (${b.status})`, align: "center" });
    }
    this.jumps.replaceChildren(jumps);
    this.jumpLabels.replaceChildren(jumpLabels);

    const flags = document.createDocumentFragment();
    this.flagItems = [];
    for (const rp of restorePoints) {
      if (rp.us < this.left) continue;
      const f = el("button", "scrub-flag");
      f.type = "button";
      f.setAttribute("aria-label", `Restore point ${rp.name} at ${rp.time}: preview`);
      f.addEventListener("click", () => this.setPos(rp.us, true));
      flags.append(f);
      this.flagItems.push({ el: f, f: this.frac(rp.us), text: `⚑ ${rp.name}`, title: `Restore point ${rp.name} at ${rp.time}`, align: "start" });
    }
    this.flags.replaceChildren(flags);
    this.el.classList.toggle("scrub-has-jumps", backtracks.length > 0);
    this.el.classList.toggle("scrub-has-flags", restorePoints.length > 0);
    this.layoutLabels();
    this.paint();
  }

  /** "time": the axis is wall-clock time; "changes": every change instant gets the same width. */
  setMode(mode) {
    this.mode = mode;
    this.modeButton.setAttribute("aria-pressed", String(mode === "changes"));
    this.el.classList.toggle("scrub-changes-only", mode === "changes");
    if (this.data) this.setData(this.data);
  }

  /** The axis's fixed points: its edges, and in "changes" mode every change in between. */
  setStops() {
    if (this.mode === "changes") {
      const inner = this.times.filter((t) => t > this.left && t < this.right);
      this.stops = [this.left, ...inner, this.right];
    } else this.stops = [this.left, this.right];
    const n = this.stops.length - 1;
    this.fracs = this.stops.map((_, i) => i / n);
  }

  /**
   * Lays out the arc labels, the flags and the axis times for the lane's
   * width: rows of labels that never overlap and stay inside the lane.
   */
  layoutLabels() {
    const width = this.track.getBoundingClientRect().width;
    if (!width) return;
    const at = (items) => {
      for (const it of items) it.x = it.f * width;
      return items.sort((a, b) => a.x - b.x);
    };
    const jumpRows = collapseLabels(at(this.jumpItems ?? []), width, 3);
    const flagRows = collapseLabels(at(this.flagItems ?? []), width, 2);
    this.el.style.setProperty("--jump-rows", String(Math.max(1, jumpRows)));
    this.el.style.setProperty("--flag-rows", String(Math.max(1, flagRows)));

    // The axis: its two edges (a second row when they do not fit side by
    // side), then the time of each change wherever one fits on the first row.
    const edges = [
      { el: this.axisLeft, x: 0, align: "start" },
      { el: this.axisRight, x: width, align: "end" },
    ];
    for (const it of edges) it.w = it.el.offsetWidth;
    const taken = placeRows(edges, width, 2);
    let axisRows = 1;
    for (const it of edges) {
      const row = Math.max(0, it.row);
      it.el.style.left = `${it.row < 0 ? 0 : it.left}px`;
      it.el.style.setProperty("--row", String(row));
      axisRows = Math.max(axisRows, row + 1);
    }
    /** @type {Label[]} */
    const candidates = [];
    const minGap = 48; // px between candidate times, so 10k commits stay cheap
    let lastX = -Infinity;
    for (const t of this.times) {
      if (t <= this.left || t >= this.right) continue;
      const x = this.frac(t) * width;
      if (x - lastX < minGap) continue;
      lastX = x;
      const lbl = el("span", "scrub-axis-time", clockPart(t));
      candidates.push({ el: lbl, x, align: "center" });
    }
    this.axisTimes.replaceChildren(...candidates.map((c) => c.el));
    for (const c of candidates) c.w = c.el.offsetWidth;
    placeRows(candidates, width, 1, 8, [taken[0]]);
    for (const c of candidates) {
      if (c.row < 0) c.el.remove();
      else c.el.style.left = `${c.left}px`;
    }
    this.el.style.setProperty("--axis-rows", String(axisRows));
  }

  /** The fraction of the width at which time `us` is drawn. */
  frac(us) {
    const s = this.stops;
    const f = this.fracs;
    if (us <= s[0]) return 0;
    if (us >= s[s.length - 1]) return 1;
    let lo = 0;
    let hi = s.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid] <= us) lo = mid;
      else hi = mid - 1;
    }
    return f[lo] + ((f[lo + 1] - f[lo]) * (us - s[lo])) / (s[lo + 1] - s[lo]);
  }

  /** The time under `clientX`; on the "changes only" axis, the nearest change (or edge). */
  usAt(clientX) {
    const r = this.track.getBoundingClientRect();
    const x = Math.min(1, Math.max(0, (clientX - r.left) / Math.max(1, r.width)));
    const s = this.stops;
    const f = this.fracs;
    let i = 0;
    while (i < f.length - 2 && f[i + 1] < x) i++;
    if (this.mode === "changes") return x - f[i] < f[i + 1] - x ? s[i] : s[i + 1];
    return s[i] + ((x - f[i]) / (f[i + 1] - f[i])) * (s[i + 1] - s[i]);
  }

  /** The entry that is the state as of `us` (the last one at or before it). */
  entryAt(us) {
    return entryAt(this.entries, us);
  }

  paint() {
    const at = this.pos ?? this.right;
    const f = this.frac(at);
    // Set on the two elements that read it, not on the track: a custom
    // property inherits, so changing it on the track restyles every tick.
    const pos = String(f);
    this.future.style.setProperty("--pos", pos);
    this.thumb.style.setProperty("--pos", pos);
    this.el.classList.toggle("scrub-previewing", this.pos !== null);
    const secs = Math.floor(at / 1e6);
    this.track.setAttribute("aria-valuenow", String(secs));
    const entry = this.entryAt(at);
    const when = this.pos === null ? `now, ${formatTime(this.right)}` : formatTime(at);
    const what = entry ? `; last change ${entry.kind === "backtrack" ? "backtrack" : "commit"} at ${entry.time}: ${entry.summary}` : "; no changes yet";
    this.track.setAttribute("aria-valuetext", `${when}${what}`);
  }

  /** Moves the thumb; `null` is now. With `preview`, reports it. */
  setPos(us, preview = false) {
    if (us !== null) {
      us = Math.min(Math.max(us, this.left), this.right);
      if (this.times.length && us >= this.times[this.times.length - 1] && us >= this.right - 1) us = null;
    }
    this.pos = us;
    this.paint();
    if (preview) this.onPreview(us);
  }

  down(e) {
    if (e.button !== 0) return;
    this.stop();
    this.dragging = true;
    this.track.setPointerCapture?.(e.pointerId);
    this.track.focus({ preventScroll: true });
    this.el.classList.add("scrub-dragging");
    this.setPos(this.usAt(e.clientX), true);
    this.showTipAt(this.pos ?? this.right, true);
    e.preventDefault();
  }

  move(e) {
    if (this.dragging) {
      this.setPos(this.usAt(e.clientX), true);
      this.showTipAt(this.pos ?? this.right, true);
    } else {
      this.hoverTip(e.clientX);
    }
  }

  up(e) {
    if (!this.dragging) return;
    this.dragging = false;
    this.el.classList.remove("scrub-dragging");
    this.track.releasePointerCapture?.(e.pointerId);
    this.onRest?.(this.pos);
  }

  cancelDrag() {
    this.dragging = false;
    this.el.classList.remove("scrub-dragging");
  }

  /**
   * Steps `n` changes back (`dir` -1) or forward (+1): the instants it lands
   * on are the earliest time, each distinct change time after it, and now
   * (the last change). One preview, however many changes it crosses.
   */
  step(dir, n = 1) {
    if (!this.times.length) return;
    const next = stepTarget(this.times, this.left, this.pos, dir, n);
    this.setPos(next, true);
    this.showTipAt(next ?? this.right, true);
  }

  key(e) {
    const k = e.key;
    if (k === "ArrowLeft" || k === "ArrowDown") this.step(-1);
    else if (k === "ArrowRight" || k === "ArrowUp") this.step(1);
    else if (k === "PageDown") this.step(-1, 10);
    else if (k === "PageUp") this.step(1, 10);
    else if (k === "Home" || k === "End") {
      this.setPos(k === "Home" ? this.left : null, true);
      // The tooltip follows the handle (a hover tooltip would be stale).
      this.showTipAt(this.pos ?? this.right, true);
    } else if (k === "Enter" && this.pos !== null) this.onCommit(this.pos);
    else if (k === "Escape" && this.pos !== null) {
      this.setPos(null, true);
      this.hideTip();
    } else return;
    e.preventDefault();
  }

  hoverTip(clientX) {
    const r = this.track.getBoundingClientRect();
    let best = null;
    let bestD = 9;
    for (const e of this.entries) {
      const x = r.left + this.frac(e.us) * r.width;
      const d = Math.abs(x - clientX);
      if (d < bestD) {
        bestD = d;
        best = e;
      }
    }
    if (best) this.showTip(best, this.frac(best.us));
    else this.showTipAt(this.usAt(clientX), false);
  }

  showTipAt(us, withEntry) {
    const entry = withEntry ? this.entryAt(us) : null;
    const shown = entry ? Math.max(Math.floor(us / 1e6) * 1e6, entry.us) : Math.floor(us / 1e6) * 1e6;
    if (entry) this.showTip(entry, this.frac(us), us === this.right && this.pos === null ? "now" : formatTime(shown));
    else {
      this.tip.replaceChildren(el("strong", "", formatTime(shown)));
      this.placeTip(this.frac(us));
    }
  }

  showTip(entry, f, heading) {
    const head = el("strong", "", heading ?? entry.time);
    const kind = el("span", `scrub-tip-kind scrub-tip-${entry.kind}`, entry.kind === "backtrack" ? "↶ backtrack" : "● commit");
    const sum = el("code", "scrub-tip-summary", entry.summary);
    const rows = el("span", "scrub-tip-rows", `${entry.rowsChanged} row${entry.rowsChanged === 1 ? "" : "s"} changed · ${entry.time}`);
    this.tip.replaceChildren(head, kind, sum, rows);
    this.placeTip(f);
  }

  /** Shows the tip beside fraction `f` of the lane. */
  placeTip(f) {
    this.tipF = f;
    this.tip.hidden = false;
    this.positionTip();
    this.track.setAttribute("aria-describedby", this.tip.id);
  }

  /**
   * Keeps the tip inside the lane (no sideways scrolling on a phone). The
   * widths come from a ResizeObserver, so moving the tip never forces a
   * layout in the middle of a drag.
   */
  positionTip() {
    const { tipW: w, laneW: lane, tipF: f } = this;
    const nib = 12; // px from the tip's edge to the handle
    const want = f > 0.6 ? f * lane - w + nib : f * lane - nib;
    this.tip.style.left = `${Math.max(0, Math.min(want, lane - w))}px`;
  }

  hideTip() {
    this.tip.hidden = true;
    this.track.removeAttribute("aria-describedby");
  }

  /** Plays history from the left edge to now, one commit time per `ms`. */
  play(ms = 700, onState) {
    if (this.playing) return;
    let i = -1;
    const frames = [this.left, ...this.times.filter((t) => t > this.left)];
    const tick = () => {
      i++;
      if (i >= frames.length - 1) {
        this.stop();
        this.setPos(null, true);
        onState?.(false);
        return;
      }
      this.setPos(frames[i], true);
      this.showTipAt(frames[i], true);
      this.playing = setTimeout(tick, ms);
    };
    onState?.(true);
    this.playing = setTimeout(tick, 0);
    this.onPlayState = onState;
  }

  stop() {
    if (this.playing) {
      clearTimeout(this.playing);
      this.playing = null;
      this.onPlayState?.(false);
      this.onRest?.(this.pos);
    }
  }
}
