// The packed tarball's declarations compile in a consumer's TypeScript project as users set them up, with
// skipLibCheck off: a browser project with a plain lib (ES2022 + DOM, no esnext.disposable) and bundler
// resolution, Node ESM projects under node16 and nodenext resolution, and a project whose lib has TypeScript's own
// Disposable types (they merge with the ones chainrule declares). Needs `npm run build` (dist/).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";

const root = join(import.meta.dirname, "..");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
const work = mkdtempSync(join(tmpdir(), "chainrule-types-"));

// A consumer's code: the API it touches (tensors, autograd, modules, optimizers, a `using` block, io, viz text).
const CONSUMER = `import * as cr from "chainrule";

const x: cr.Tensor = cr.tensor([1, 2, 3], { requiresGrad: true });
x.mul(x).sum().backward();
const model = new cr.nn.Sequential(new cr.nn.Linear(3, 2), new cr.nn.ReLU());
const opt = new cr.optim.Adam(model.parameters(), { lr: 1e-3 });
opt.zeroGrad();
const y = model.forward(cr.randn([4, 3]));
const restore: Disposable = cr.noGrad();
restore[Symbol.dispose]();
const dot: string = cr.viz.toDot(cr.viz.graph(y.sum()).model);
const bytes: Uint8Array = cr.safetensors.serialize(model.stateDict());
export const summary: [number, readonly number[], string, number] = [x.grad!.item(), y.shape, dot, bytes.length];
`;

/** Each consumer project: its tsconfig's compilerOptions, and whether its package.json says "type": "module". */
const PROJECTS: Record<string, { options: Record<string, unknown>; esm: boolean; usingBlock?: boolean }> = {
  "browser (ES2022 + DOM lib, bundler resolution)": {
    options: { target: "ES2022", lib: ["ES2022", "DOM"], module: "ESNext", moduleResolution: "bundler" }, esm: true,
  },
  "node16 resolution": { options: { target: "ES2022", lib: ["ES2022"], module: "node16", moduleResolution: "node16" }, esm: true },
  "nodenext resolution": { options: { target: "ES2022", lib: ["ES2022"], module: "nodenext", moduleResolution: "nodenext" }, esm: true },
  "ESNext + DOM lib (TypeScript's own Disposable types), with a using block": {
    options: { target: "ES2022", lib: ["ESNext", "DOM"], module: "ESNext", moduleResolution: "bundler" }, esm: true, usingBlock: true,
  },
};

let packageDir = "";

before(() => {
  const packed = spawnSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], { cwd: root, encoding: "utf8" });
  assert.equal(packed.status, 0, packed.stderr);
  const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
  // Unpacked where a consumer's node_modules has it (its two dependencies bring no types the declarations use).
  const modules = join(work, "node_modules");
  mkdirSync(modules, { recursive: true });
  const untar = spawnSync("tar", ["-xzf", join(work, filename), "-C", modules], { encoding: "utf8" });
  assert.equal(untar.status, 0, untar.stderr);
  packageDir = join(modules, "chainrule");
  rmSync(packageDir, { recursive: true, force: true });
  const moved = spawnSync("mv", [join(modules, "package"), packageDir], { encoding: "utf8" });
  assert.equal(moved.status, 0, moved.stderr);
});

after(() => rmSync(work, { recursive: true, force: true }));

for (const [name, project] of Object.entries(PROJECTS)) {
  test(`the tarball's declarations compile in a consumer project: ${name}`, () => {
    const dir = join(work, name.replace(/[^a-z0-9]+/gi, "-"));
    mkdirSync(dir, { recursive: true });
    // The consumer's own node_modules is the shared one above it, found by Node's and TypeScript's lookup.
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, ...(project.esm ? { type: "module" } : {}) }));
    const code = project.usingBlock ? `${CONSUMER}\n{\n  using _ = cr.noGrad();\n}\n` : CONSUMER;
    writeFileSync(join(dir, "index.ts"), code);
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, skipLibCheck: false, types: [], ...project.options },
      files: ["index.ts"],
    }));
    const r = spawnSync(process.execPath, [tsc, "-p", dir], { encoding: "utf8" });
    assert.equal(r.status, 0, `tsc failed:\n${r.stdout}${r.stderr}`);
  });
}
