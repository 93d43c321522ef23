// Types of reeldb/playwright (playwright.js).
import type { Page, TestInfo, TestType, PlaywrightTestArgs, PlaywrightTestOptions, PlaywrightWorkerArgs, PlaywrightWorkerOptions } from "@playwright/test";
import type { KitDb, TableChanges } from "./testing.js";

export { expect } from "@playwright/test";

/** A page's ReelDB (`globalThis[global]`) driven from the test. */
export interface PageDb extends KitDb {
  exec(sql: string): Promise<unknown[]>;
  timeline(): Promise<unknown[]>;
  /** The database with its timeline (a `.reeldb` file's bytes). */
  exportImage(): Promise<Buffer>;
}

export function pageDb(page: Page, global?: string): PageDb;
export function attachDatabase(db: PageDb, testInfo: TestInfo, name: string): Promise<void>;

export interface ReelDBOption {
  /** The app's page. */
  url: string;
  /** Where the app exposes its ReelDB object (default "reeldb"). */
  global?: string;
  /** The restore point's name (default "reeldb-test-start"). */
  checkpoint?: string;
}

export const test: TestType<
  PlaywrightTestArgs & PlaywrightTestOptions & { db: PageDb & { changesSince(): Promise<Record<string, TableChanges>> } },
  PlaywrightWorkerArgs & PlaywrightWorkerOptions & { reeldb: ReelDBOption; reeldbPage: Page }
>;
