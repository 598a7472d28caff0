// test/helpers/browser.ts: the browser tests need no system package. The Chromium that `npm ci` installs
// (@sparticuz/chromium) unpacks and renders a page, its software Vulkan is where WebGPU work will look for it, and a
// wrong CHROMIUM_PATH is an error, never a silent fallback or a skip.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { launch, launchChromium, npmChromium, npmChromiumCacheDir, swiftShaderDir } from "./helpers/browser.js";

const linuxX64 = process.platform === "linux" && process.arch === "x64";

test("the npm package's Chromium unpacks once and renders a page headless", { skip: !linuxX64 && "the npm Chromium is built for linux-x64 only" }, async (t) => {
  const install = await npmChromium();
  assert.equal(install.source, "npm");
  assert.equal(install.executablePath, join(npmChromiumCacheDir(), "chromium"));
  assert.ok(install.env["FONTCONFIG_FILE"] && existsSync(install.env["FONTCONFIG_FILE"]), "a fontconfig file with the bundled fonts");
  const again = await npmChromium();
  assert.equal(again.executablePath, install.executablePath, "unpacked once");
  const browser = await launch(install);
  try {
    t.diagnostic(`Chromium ${browser.version()}${install.env["LD_LIBRARY_PATH"] ? " with the bundled NSS libraries" : ""}`);
    const page = await browser.newPage();
    await page.setContent(`<p id="p">chain rule</p><script>document.getElementById("p").textContent += " " + (6 * 7);</script>`);
    assert.equal(await page.locator("#p").textContent(), "chain rule 42");
    // Text is laid out with a real font (a machine without fonts would give the paragraph no width).
    assert.ok(Number(await page.evaluate(`document.getElementById("p").getBoundingClientRect().width`)) > 20);
  } finally {
    await browser.close();
  }
});

test("the npm Chromium's software Vulkan (SwiftShader) is exposed for WebGPU work", { skip: !linuxX64 && "linux-x64 only" }, async () => {
  const dir = await swiftShaderDir();
  for (const file of ["libvk_swiftshader.so", "vk_swiftshader_icd.json", "libvulkan.so.1"]) assert.ok(existsSync(join(dir, file)), `${file} in ${dir}`);
  const icd = JSON.parse(readFileSync(join(dir, "vk_swiftshader_icd.json"), "utf8")) as { ICD?: { library_path?: string } };
  assert.match(icd.ICD?.library_path ?? "", /libvk_swiftshader\.so$/);
});

test("with CHROMIUM_PATH set, that binary alone is tried: a wrong path is an error naming it", async () => {
  const saved = process.env["CHROMIUM_PATH"];
  process.env["CHROMIUM_PATH"] = "/nonexistent/chromium";
  try {
    await assert.rejects(launchChromium(), (e: Error) => {
      assert.match(e.message, /no Chromium could be launched/);
      assert.match(e.message, /CHROMIUM_PATH \(\/nonexistent\/chromium\): \/nonexistent\/chromium does not exist/);
      assert.doesNotMatch(e.message, /\bnpm \(|system \(/, "no fallback behind the user's choice");
      return true;
    });
  } finally {
    if (saved === undefined) delete process.env["CHROMIUM_PATH"];
    else process.env["CHROMIUM_PATH"] = saved;
  }
});

test("without CHROMIUM_PATH, the browser tests launch the npm Chromium, not a system one", { skip: (!linuxX64 && "linux-x64 only") || (process.env["CHROMIUM_PATH"] ? "CHROMIUM_PATH is set" : false) }, async () => {
  const { browser, install } = await launchChromium();
  try {
    assert.equal(install.source, "npm");
    assert.ok(browser.isConnected());
  } finally {
    await browser.close();
  }
});
