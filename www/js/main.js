// @ts-check
// Entry point of the bundle (www/dist/playground.js): defines
// <reel-playground> and <reel-exercise> and mounts the full playground on #app when the page has one.
import "./element.js";
import "./exercise.js";
import { Playground } from "./playground.js";

const app = document.getElementById("app");
if (app) {
  const pg = new Playground(app, { mode: "page", dbName: "playground" });
  /** @type {any} */ (window).reeldbPlayground = pg; // for tests and the console
  pg.start();
}
