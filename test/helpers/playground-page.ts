// The playground as the browser tests drive it: built with Vite into a temporary folder (outside the repository, so
// the bundle is neither linted nor committed), served on 127.0.0.1 and opened in headless Chromium (the one
// test/helpers/browser.ts finds). Launching fails, never skips: CI must not pass without the browser tests.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { build } from "vite";
import { launchChromium } from "./browser.js";
import { serveFolder } from "./static-server.js";

const root = join(import.meta.dirname, "..", "..");

/** Where the browser tests leave their screenshots. */
export const PLAYGROUND_ARTIFACTS = join(root, "test-artifacts", "playground");

/** A page of the playground, and the uncaught errors and console errors it has logged so far. */
export interface OpenPage {
  readonly page: Page;
  readonly errors: string[];
}

/** The built playground, served and with a browser open on it. */
export interface Playground {
  readonly browser: Browser;
  /** The page's URL, ending in "/". */
  readonly url: string;
  /** Opens a new page at `query` (e.g. "?lab=expr"), collecting its errors. */
  open(query: string, viewport?: { width: number; height: number }): Promise<OpenPage>;
  close(): Promise<void>;
}

/** Opens `url` in a new page of `browser`, collecting the page's uncaught errors and console errors. */
export async function openPage(browser: Browser, url: string, viewport = { width: 1280, height: 900 }): Promise<OpenPage> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto(url);
  return { page, errors };
}

/** Builds the playground, checks that no chunk imports a Node built-in, serves it and launches Chromium. */
export async function startPlayground(name: string): Promise<Playground> {
  const outDir = mkdtempSync(join(tmpdir(), `chainrule-${name}-`));
  await build({ configFile: join(root, "playground", "vite.config.ts"), logLevel: "error", build: { outDir, emptyOutDir: true } });
  // The page must run in a browser: no chunk may import a Node built-in (chainrule reaches them lazily, in Node only).
  for (const file of readdirSync(join(outDir, "assets")).filter((f) => f.endsWith(".js"))) {
    assert.doesNotMatch(readFileSync(join(outDir, "assets", file), "utf8"), /(?:from|import)\s*\(?\s*["']node:/, `${file} imports a Node built-in`);
  }
  const server = await serveFolder(outDir);
  mkdirSync(PLAYGROUND_ARTIFACTS, { recursive: true });
  const { browser } = await launchChromium();
  return {
    browser,
    url: server.url,
    open: (query, viewport) => openPage(browser, server.url + query, viewport),
    async close() {
      await browser.close();
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}
