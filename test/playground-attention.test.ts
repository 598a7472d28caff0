// The playground's attention lab in headless Chromium (built with Vite and served as test/playground.test.ts does):
// a small transformer trains live, its attention maps are drawn per layer and head, and one embedding row's gradient
// is shown as the sum of per-position parts — read back from the page and summed here, independently of the page.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import { PLAYGROUND_ARTIFACTS as artifacts, startPlayground } from "./helpers/playground-page.js";
import type { OpenPage, Playground } from "./helpers/playground-page.js";

let playground: Playground;

before(async () => {
  playground = await startPlayground("playground-attn");
});

after(async () => {
  await playground?.close();
});

const open = (query: string, viewport?: { width: number; height: number }): Promise<OpenPage> => playground.open(query, viewport);

/** The strips of one split as the page drew them: the parts, their drawn sum and the .grad row, with their numbers. */
async function readSplit(page: Page, id: string): Promise<{ parts: number[][]; sum: number[]; grad: number[] }> {
  const values = async (kind: string) => Promise.all((await page.locator(`#${id} g.strip.${kind}`).all()).map(async (g) => JSON.parse((await g.getAttribute("data-values")) ?? "[]") as number[]));
  const [sum] = await values("sum");
  const [grad] = await values("grad");
  return { parts: await values("part"), sum: sum ?? [], grad: grad ?? [] };
}

/** Sums the parts here and compares with the .grad row the page read from chainrule, relative to the row's size. */
function assertSumsToGrad(split: { parts: number[][]; grad: number[] }, what: string): void {
  const scale = Math.max(...split.grad.map(Math.abs));
  assert.ok(scale > 0, `${what}: the row has a gradient`);
  split.grad.forEach((g, i) => {
    const sum = split.parts.reduce((s, p) => s + (p[i] ?? NaN), 0);
    assert.ok(Math.abs(sum - g) <= 1e-4 * scale, `${what}: component ${i}: Σ parts ${sum} ≠ grad ${g}`);
  });
  // The parts are not all one: more than one position sends a non-zero share.
  assert.ok(split.parts.filter((p) => p.some((v) => Math.abs(v) > 1e-6 * scale)).length > 1, `${what}: several positions contribute`);
}

/** Every map's rows, read from the cells' weights, sum to 1 (softmax over the keys). */
async function assertMapsAreAttention(page: Page, layers: number, heads: number, len: number): Promise<void> {
  assert.equal(await page.locator("#attn-maps figure.attn-head").count(), layers * heads);
  for (let l = 0; l < layers; l++) {
    for (let hd = 0; hd < heads; hd++) {
      const cells = page.locator(`#attn-maps figure[data-layer="${l}"][data-head="${hd}"] rect`);
      const w = (await Promise.all((await cells.all()).map((c) => c.getAttribute("data-w")))).map(Number);
      assert.equal(w.length, len * len, `layer ${l} head ${hd}: an ${len}×${len} map`);
      for (let q = 0; q < len; q++) {
        const row = w.slice(q * len, (q + 1) * len).reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(row - 1) < 1e-3, `layer ${l} head ${hd} query ${q}: weights sum to ${row}`);
      }
    }
  }
}

test("attention lab: the transformer trains live (loss down), draws layers × heads maps, and the row's parts sum to its .grad", async () => {
  const { page, errors } = await open("?lab=attn&task=reverse&layers=2&heads=2&lr=0.005&batch=32&seed=1&seq=3%201%204%201%205%202&token=1");
  assert.equal(await page.locator("#tab-attn").getAttribute("aria-selected"), "true");
  assert.equal(await page.locator("#attn-steps").textContent(), "0");
  await assertMapsAreAttention(page, 2, 2, 6);

  await page.locator("#attn-step").click();
  const first = Number(await page.locator("#attn-loss").textContent());
  assert.ok(first > 1.5, `first loss ${first} (ln 10 ≈ 2.3 at chance)`);
  await page.locator("#attn-play").click();
  await page.waitForFunction(`Number(document.querySelector("#attn-steps")?.textContent) >= 40`, undefined, { timeout: 60_000 });
  await page.locator("#attn-play").click();
  const later = Number(await page.locator("#attn-loss").textContent());
  assert.ok(later < first / 2, `loss went from ${first} to ${later}`);
  await assertMapsAreAttention(page, 2, 2, 6);

  // The BERT claim: token 1 sits at positions 1 and 3; every position's loss reaches its row, and both splits add up.
  const byLoss = await readSplit(page, "split-by-loss");
  assert.equal(byLoss.parts.length, 6, "one part per position's loss");
  assertSumsToGrad(byLoss, "by loss position");
  await page.screenshot({ path: join(artifacts, "attention-lab.png"), fullPage: true });
  const byUse = await readSplit(page, "split-by-use");
  assert.equal(byUse.parts.length, 2, "token 1 is looked up twice");
  assertSumsToGrad(byUse, "by use");
  assert.deepEqual(byUse.grad, byLoss.grad, "one .grad row");
  assert.equal(await page.locator(".grad-split .claim .ok").count(), 2);

  // Another row (token 5, used once) and another shape (3 layers × 4 heads) through the form; the URL follows.
  await page.locator("select[name=token]").selectOption("5");
  assert.equal((await readSplit(page, "split-by-use")).parts.length, 1);
  assertSumsToGrad(await readSplit(page, "split-by-loss"), "token 5 by loss position");
  assert.match(page.url(), /token=5/);
  await page.locator("select[name=layers]").selectOption("3");
  await page.locator("select[name=heads]").selectOption("4");
  await page.locator("select[name=task]").selectOption("sort");
  assert.match(page.url(), /task=sort/);
  assert.equal(await page.locator("#attn-steps").textContent(), "0");
  await assertMapsAreAttention(page, 3, 4, 6);
  await page.locator("#attn-step").click();
  assertSumsToGrad(await readSplit(page, "split-by-loss"), "sort by loss position");
  await page.screenshot({ path: join(artifacts, "attention-lab-3x4.png"), fullPage: true });

  // A sequence that is not one is refused with a message, and the old one stays.
  await page.locator("input[name=seq]").fill("1 2 x");
  await page.locator("input[name=seq]").dispatchEvent("change");
  assert.match((await page.locator("#seq-error").textContent()) ?? "", /Give 6 digits/);
  assert.match((await page.locator("#attn-prediction").textContent()) ?? "", /input 3 1 4 1 5 2/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("attention lab fits a phone", async () => {
  const { page, errors } = await open("?lab=attn", { width: 390, height: 844 });
  await page.locator("#attn-step").click();
  const width = Number(await page.evaluate("document.documentElement.scrollWidth"));
  assert.ok(width <= 390, `the attention lab is ${width}px wide on a 390px phone`);
  await page.screenshot({ path: join(artifacts, "attention-lab-phone.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});
