// Serves the repository on a free port for the example's tests; they find
// it in process.env.REELDB_EXAMPLE_URL.
import { serve } from "../../scripts/static-server.mjs";

export default async function globalSetup() {
  const server = await serve(new URL("../../", import.meta.url).pathname, 0);
  process.env.REELDB_EXAMPLE_URL = new URL("examples/playwright/app.html", server.url).href;
  return () => server.close();
}
