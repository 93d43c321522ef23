// The timeline scrubber: commits as ticks, backtracks as jumps (an arc from
// the time a backtrack happened back to the time it rewound to), restore
// points as labelled flags; the left edge is the earliest time the window
// can reach, the right edge is now.
//
// It is an ARIA slider: arrow keys step commit by commit, Home goes to the
// earliest time, End or Escape back to now, Enter asks to backtrack to the
// shown time (`onCommit(us)`). Dragging calls `onPreview(us)` (null: now);
// releasing the handle keeps the preview and commits nothing: backtracking
// is always an explicit step (Enter here, or the page's Backtrack button).

import { formatTime, clockPart } from "./time.js";

const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

export class Scrubber {
  constructor({ onPreview, onCommit, label = "Timeline" }) {
    this.onPreview = onPreview;
    this.onCommit = onCommit;
    this.entries = [];
    this.times = []; // distinct entry times (µs), ascending
    this.left = 0;
    this.right = 1;
    this.pos = null; // µs, or null for now
    this.playing = null;
    this.dragging = false;

    this.el = el("div", "scrubber");
    this.track = el("div", "scrub-track");
    this.track.tabIndex = 0;
    this.track.setAttribute("role", "slider");
    this.track.setAttribute("aria-label", label);
    this.track.setAttribute("aria-orientation", "horizontal");
    this.jumps = el("div", "scrub-jumps");
    this.jumps.setAttribute("aria-hidden", "true");
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
    this.axis.append(this.axisLeft, this.axisRight);
    this.tip = el("div", "scrub-tip");
    this.tip.setAttribute("role", "tooltip");
    this.tip.id = `scrub-tip-${Math.random().toString(36).slice(2)}`;
    this.tip.hidden = true;
    const lane = el("div", "scrub-lane");
    lane.append(this.jumps, this.flags, this.track, this.tip);
    this.tipF = 0;
    this.tipW = 0;
    this.laneW = 0;
    if (typeof ResizeObserver === "function") {
      const sizes = new ResizeObserver((changes) => {
        for (const c of changes) {
          const width = c.borderBoxSize?.[0]?.inlineSize ?? c.contentRect.width;
          if (c.target === this.tip) this.tipW = width;
          else this.laneW = width;
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

  /** @param {{entries: {seq:number, us:number, time:string, kind:string, summary:string, rowsChanged:number}[], backtracks: {target:string, from:string, targetUs:number, fromUs:number, status:string}[], restorePoints: {name:string, us:number, time:string}[], left:number, right:number}} d */
  setData({ entries, backtracks, restorePoints, left, right, earliest }) {
    this.entries = entries;
    this.times = [...new Set(entries.map((e) => e.us))].sort((a, b) => a - b);
    this.left = left;
    this.right = Math.max(right, left + 1);
    this.track.setAttribute("aria-valuemin", String(Math.floor(this.left / 1e6)));
    this.track.setAttribute("aria-valuemax", String(Math.floor(this.right / 1e6)));
    // The left edge is the earliest reachable time, or (when the window
    // reaches further back) a moment before the first change.
    const leftText = formatTime(Math.ceil(this.left / 1e6) * 1e6);
    this.axisLeft.textContent =
      earliest !== undefined && this.left > earliest ? `${leftText} · before the first change` : `earliest ${leftText}`;
    this.axisRight.textContent = `now ${formatTime(Math.floor(this.right / 1e6) * 1e6)}`;

    // Ticks: at most one per pixel column worth of width, so 10k commits stay cheap.
    const width = this.track.clientWidth || 800;
    const seen = new Set();
    const frag = document.createDocumentFragment();
    for (const e of entries) {
      if (e.us < this.left) continue;
      const x = this.frac(e.us);
      const px = Math.round(x * width);
      const key = `${px}:${e.kind}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const t = el("div", `scrub-tick scrub-tick-${e.kind}`);
      t.style.setProperty("--x", String(x));
      frag.append(t);
    }
    this.ticks.replaceChildren(frag);

    const jumps = document.createDocumentFragment();
    for (const b of backtracks) {
      const a = this.frac(Math.max(b.targetUs, this.left));
      const z = this.frac(b.fromUs);
      const j = el("div", `scrub-jump${b.status === "completed" ? "" : " scrub-jump-failed"}`);
      j.style.setProperty("--a", String(Math.min(a, z)));
      j.style.setProperty("--w", String(Math.max(Math.abs(z - a), 0.004)));
      j.title = `Backtrack at ${b.from} to ${b.target}`;
      const lbl = el("span", "scrub-jump-label", `↶ ${clockPart(b.targetUs)}`);
      j.append(lbl);
      jumps.append(j);
    }
    this.jumps.replaceChildren(jumps);

    const flags = document.createDocumentFragment();
    for (const rp of restorePoints) {
      if (rp.us < this.left) continue;
      const f = el("button", "scrub-flag", `⚑ ${rp.name}`);
      f.type = "button";
      f.style.setProperty("--x", String(this.frac(rp.us)));
      f.title = `Restore point ${rp.name} at ${rp.time}`;
      f.setAttribute("aria-label", `Restore point ${rp.name} at ${rp.time}: preview`);
      f.addEventListener("click", () => this.setPos(rp.us, true));
      flags.append(f);
    }
    this.flags.replaceChildren(flags);
    this.el.classList.toggle("scrub-has-jumps", backtracks.length > 0);
    this.el.classList.toggle("scrub-has-flags", restorePoints.length > 0);
    this.paint();
  }

  frac(us) {
    return Math.min(1, Math.max(0, (us - this.left) / (this.right - this.left)));
  }

  usAt(clientX) {
    const r = this.track.getBoundingClientRect();
    const f = Math.min(1, Math.max(0, (clientX - r.left) / Math.max(1, r.width)));
    return this.left + f * (this.right - this.left);
  }

  /** The entry that is the state as of `us` (the last one at or before it). */
  entryAt(us) {
    const e = this.entries;
    let lo = 0;
    let hi = e.length - 1;
    let found = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (e[mid].us <= us) {
        found = e[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  paint() {
    const at = this.pos ?? this.right;
    const f = this.frac(at);
    this.track.style.setProperty("--pos", String(f));
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
  }

  cancelDrag() {
    this.dragging = false;
    this.el.classList.remove("scrub-dragging");
  }

  /** Steps to the previous (-1) or next (+1) distinct commit time. */
  step(dir) {
    const t = this.times;
    if (!t.length) return;
    const cur = this.pos ?? t[t.length - 1];
    let next;
    if (dir < 0) {
      next = null;
      for (let i = t.length - 1; i >= 0; i--) {
        if (t[i] < cur && t[i] >= this.left) {
          next = t[i];
          break;
        }
      }
      if (next === null) next = this.left;
    } else {
      next = t.find((x) => x > cur);
      if (next === undefined || next === t[t.length - 1]) next = null;
    }
    this.setPos(next, true);
    this.showTipAt(next ?? this.right, true);
  }

  key(e) {
    const k = e.key;
    if (k === "ArrowLeft" || k === "ArrowDown") this.step(-1);
    else if (k === "ArrowRight" || k === "ArrowUp") this.step(1);
    else if (k === "PageDown") for (let i = 0; i < 10; i++) this.step(-1);
    else if (k === "PageUp") for (let i = 0; i < 10; i++) this.step(1);
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
    }
  }
}
