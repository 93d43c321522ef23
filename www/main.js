// Loads the ReelDB package (pkg/ copied to www/pkg/ by scripts/build.sh) the
// way wasm-bindgen's `--target web` output is used without a bundler.
import init, { version } from "./pkg/reeldb.js";

const out = document.getElementById("version");
const err = document.getElementById("error");

try {
  await init();
  out.textContent = version();
  out.dataset.state = "ready";
} catch (e) {
  out.textContent = "unavailable";
  out.dataset.state = "error";
  err.textContent = `Could not load ReelDB: ${e}`;
  err.hidden = false;
  throw e;
}
