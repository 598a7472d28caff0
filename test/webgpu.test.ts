// The webgpu backend's suites (test/webgpu/*.gpu.ts), run on the SwiftShader Vulkan driver that the npm package
// @sparticuz/chromium ships: Dawn (the `webgpu` package) finds it through VK_ICD_FILENAMES and LD_LIBRARY_PATH, which
// the dynamic loader reads when a process starts, so the suites run in a child process started with them. No
// adapter is a failure, not a skip. WEBGPU_ICD, if set, names another Vulkan ICD file (a GPU's) to run them on.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { swiftShaderDir } from "./helpers/browser.js";

const root = join(import.meta.dirname, "..");

test("the webgpu suites pass on SwiftShader (Dawn in a child process)", { timeout: 600_000 }, async () => {
  const icd = process.env["WEBGPU_ICD"] ?? join(await swiftShaderDir(), "vk_swiftshader_icd.json");
  const runtime = mkdtempSync(join(tmpdir(), "chainrule-webgpu-"));
  try {
    // Without the parent runner's NODE_TEST_CONTEXT, which would make the child's runner skip its files.
    const { NODE_TEST_CONTEXT: _context, ...inherited } = process.env;
    const env = {
      ...inherited,
      VK_ICD_FILENAMES: icd,
      LD_LIBRARY_PATH: [dirname(icd), process.env["LD_LIBRARY_PATH"]].filter(Boolean).join(":"),
      XDG_RUNTIME_DIR: runtime,
    };
    const args = ["--expose-gc", "--conditions=chainrule-source", "--import", "tsx", "--import", "./test/webgpu/hooks.mjs", "--test", "--test-reporter=spec", "test/webgpu/suites.gpu.ts"];
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    console.log(output.replace(/^/gm, "  [webgpu] "));
    assert.equal(code, 0, "the webgpu suites failed (their output is above)");
    assert.match(output, /ℹ fail 0/);
  } finally {
    rmSync(runtime, { recursive: true, force: true });
  }
});
