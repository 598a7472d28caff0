// The playground in a real browser: built with Vite, served on 127.0.0.1, driven in headless Chromium by playwright-core
// (the Chromium test/helpers/browser.ts finds: CHROMIUM_PATH, else the one npm installs, else the system one).
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import { launchChromium } from "./helpers/browser.js";
import { openPage, PLAYGROUND_ARTIFACTS as artifacts, startPlayground } from "./helpers/playground-page.js";
import type { OpenPage, Playground } from "./helpers/playground-page.js";

let playground: Playground;
let base = "";

before(async () => {
  playground = await startPlayground("playground");
  base = playground.url;
});

after(async () => {
  await playground?.close();
});

// Functions run in the page are given as strings: this file is type-checked for Node, without the DOM's types.

/** A new page that fails the test on any uncaught error or console error. */
const open = (query: string, viewport?: { width: number; height: number }): Promise<OpenPage> => playground.open(query, viewport);

const cell = (page: Page, name: string, cls: string) => page.locator(`#grad-table tr[data-var="${name}"] .${cls}`);

test("expression lab: the lesson's graph, stepped to the end, gives the gradients autograd and finite differences give", async () => {
  const { page, errors } = await open("?lab=expr");
  await page.locator("#expr").fill("(x + y) * z");
  await page.locator("#values").fill("x=-2 y=5 z=-4");
  assert.equal(await page.locator(".graph .node").count(), 5);
  await page.locator("#run-all").click();
  assert.match((await page.locator("#step-counter").textContent()) ?? "", /step 5 \/ 5 · done/);
  for (const [name, grad] of [["x", -4], ["y", -4], ["z", 3]] as const) {
    assert.equal(Number(await cell(page, name, "stepped").textContent()), grad, `${name} stepped`);
    assert.equal(Number(await cell(page, name, "analytic").textContent()), grad, `${name} backward()`);
    assert.ok(Math.abs(Number(await cell(page, name, "numeric").textContent()) - grad) < 1e-4, `${name} numerical`);
  }
  // cr.viz's drawing of the same graph, laid out by Graphviz (WebAssembly bundled, loaded on opening).
  await page.locator(".viz-panel summary").click();
  await page.locator("#viz-svg svg").waitFor({ timeout: 20_000 });
  assert.match((await page.locator("#viz-dot").textContent()) ?? "", /digraph/);
  await page.screenshot({ path: join(artifacts, "expression-lab.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test("expression lab: a reused value accumulates (grad +=) step by step, and the keyboard steps", async () => {
  const { page, errors } = await open("?lab=expr");
  await page.locator("#expr").fill("x * x + x");
  await page.locator("#values").fill("x=3");
  // Forward: mul, add; then the seed; then backward through add (x gets 1) and mul (x gets 3 + 3 more).
  await page.locator("#graph").focus();
  for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowRight");
  assert.match((await page.locator("#contributions").textContent()) ?? "", /x\.grad \+= 1 × 1/);
  await page.keyboard.press("ArrowRight");
  const lines = await page.locator("#contributions li").allTextContents();
  assert.equal(lines.length, 2);
  assert.match(lines[1] ?? "", /= 7 \(accumulates/);
  assert.equal(Number(await cell(page, "x", "stepped").textContent()), 7);
  assert.equal(Number(await cell(page, "x", "analytic").textContent()), 7);
  await page.screenshot({ path: join(artifacts, "expression-accumulate.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test("expression lab: small tensors broadcast, and their gradients match finite differences element by element", async () => {
  const { page, errors } = await open("?lab=expr");
  await page.locator("#expr").fill("x * x + b");
  await page.locator("#values").fill("x=[1, 2, 3] b=0.5");
  await page.locator("#graph svg").waitFor({ timeout: 20_000 });
  assert.equal(await cell(page, "x", "analytic").textContent(), "[2, 4, 6]");
  assert.equal(await cell(page, "x", "numeric").textContent(), "[2, 4, 6]");
  assert.equal(Number(await cell(page, "b", "analytic").textContent()), 3, "b is broadcast to three elements: its gradient sums them");
  assert.equal(await page.locator("#step").isDisabled(), false, "tensors step too");
  await page.screenshot({ path: join(artifacts, "expression-tensors.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test("expression lab: small tensors step forward then backward, and a reused tensor accumulates (grad +=)", async () => {
  const { page, errors } = await open("?lab=expr");
  await page.locator("#expr").fill("x * x + x");
  await page.locator("#values").fill("x=[1, 2, 3]");
  // Forward: mul, add, sum; the seed; backward through sum, add (x gets [1, 1, 1]), mul (x gets [1, 2, 3] twice).
  assert.match((await page.locator("#step-counter").textContent()) ?? "", /step 0 \/ 7/);
  await page.locator("#graph").focus();
  for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
  assert.match((await page.locator("#step-message").textContent()) ?? "", /forward: sum\(add\) = 20/);
  for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
  assert.match((await page.locator("#contributions").textContent()) ?? "", /x\.grad \+= \[1, 1, 1\] ⊙ \[1, 1, 1\] → 0 \+ \[1, 1, 1\] = \[1, 1, 1\]/);
  await page.keyboard.press("ArrowRight");
  assert.match((await page.locator("#step-counter").textContent()) ?? "", /step 7 \/ 7 · done/);
  const lines = await page.locator("#contributions li").allTextContents();
  assert.equal(lines.length, 2, "mul's two edges into x");
  assert.match(lines[0] ?? "", /x\.grad \+= \[1, 1, 1\] ⊙ \[1, 2, 3\] → \[1, 1, 1\] \+ \[1, 2, 3\] = \[2, 3, 4\] \(accumulates: a second path\)/);
  assert.match(lines[1] ?? "", /= \[3, 5, 7\] \(accumulates/);
  assert.equal(await page.locator("#contributions li.reused").count(), 2);
  assert.equal(await cell(page, "x", "stepped").textContent(), "[3, 5, 7]");
  assert.equal(await cell(page, "x", "analytic").textContent(), "[3, 5, 7]");
  assert.match((await page.locator('.graph .node[data-node="x"]').textContent()) ?? "", /grad \[3, 5, 7\]/);
  await page.screenshot({ path: join(artifacts, "expression-tensor-steps.png"), fullPage: true });
  await page.keyboard.press("ArrowLeft");
  assert.match((await page.locator("#step-counter").textContent()) ?? "", /step 6 \/ 7 · backward/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("network lab: training XOR brings the displayed loss below 0.1", async () => {
  const { page, errors } = await open("?lab=net&data=xor&noise=0.15&hidden=8,8&act=relu&opt=adam&lr=0.03&batch=32&seed=1");
  const start = Number(await page.locator("#train-loss").textContent());
  assert.ok(start > 0.5, `initial loss ${start}`);
  await page.locator("#play").click();
  await page.waitForFunction(`Number(document.querySelector("#train-loss")?.textContent) < 0.1`, undefined, { timeout: 40_000 });
  await page.locator("#play").click();
  assert.equal(await page.locator("#play").getAttribute("aria-pressed"), "false");
  const steps = Number(await page.locator("#net-steps").textContent());
  await page.locator("#net-step").click();
  assert.equal(Number(await page.locator("#net-steps").textContent()), steps + 1);
  assert.equal(await page.locator("#health svg rect").count(), 3, "a gradient bar per Linear layer");
  assert.match((await page.locator("#health").textContent()) ?? "", /% dead/);
  await page.screenshot({ path: join(artifacts, "network-xor.png"), fullPage: true });
  await page.locator("#reset").click();
  assert.equal(await page.locator("#net-steps").textContent(), "0");
  // Six sigmoid layers: the gradient-health panel flags vanishing gradients and names the remedies.
  await page.goto(`${base}?lab=net&data=spirals&hidden=8,8,8,8,8,8&act=sigmoid&opt=sgd&lr=0.1`);
  await page.locator("#net-step").click();
  assert.match((await page.locator("#health-note").textContent()) ?? "", /vanishing gradients: .*Try: ReLU instead of sigmoid/);
  await page.screenshot({ path: join(artifacts, "network-vanishing.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

/** The gradient-health bars as the page draws them: each Linear layer's row and the "% dead" its note shows, if any. */
async function healthBars(page: Page): Promise<{ name: string; dead: number | null }[]> {
  const texts = (await page.locator("#health svg text").allTextContents()).map((t) => t.trim());
  const rows: { name: string; dead: number | null }[] = [];
  texts.forEach((t, i) => {
    if (!/^Linear \d+$/.test(t)) return;
    const m = /· (\d+)% dead$/.exec(texts[i + 1] ?? "");
    rows.push({ name: t, dead: m ? Number(m[1]) : null });
  });
  return rows;
}

/** Checks that the note under the bars tells what they show: every dead share, and a flag for each one above the limit. */
async function assertHealthAgrees(page: Page): Promise<{ name: string; dead: number | null }[]> {
  const bars = await healthBars(page);
  const note = (await page.locator("#health-note").textContent()) ?? "";
  assert.ok(bars.length > 0, "bars drawn");
  assert.doesNotMatch(note, /no dead units/i);
  for (const { name, dead } of bars) {
    if (dead === null || dead === 0) continue;
    const m = new RegExp(`layer (\\d+) \\(the ReLU after ${name}\\) (\\d+)%`).exec(note);
    assert.ok(m, `the note names ${name}'s ${dead}% dead units: ${note}`);
    assert.equal(Number(m[2]), dead, `${name}: bar and note agree`);
    if (dead > 50) assert.match(note, new RegExp(`dead neurons: .*${dead}% of layer ${m[1]} \\(ReLU\\)`), `${name} is flagged`);
    else assert.doesNotMatch(note, new RegExp(`dead neurons: .*of layer ${m[1]} \\(ReLU\\)`), `${name} is not flagged at ${dead}%`);
  }
  return bars;
}

test("network lab: the gradient-health note and bars report the same dead units, flagged above 50% or not", async () => {
  // XOR's data sits in [0, 1]²: after one step some first-layer ReLUs are 0 for every point, yet no layer passes 50%.
  const { page, errors } = await open("?lab=net&data=xor&noise=0.15&hidden=8,8&act=relu&opt=adam&lr=0.03&batch=32&seed=1");
  await page.locator("#net-step").click();
  const some = await assertHealthAgrees(page);
  assert.ok(some.some((b) => b.dead !== null && b.dead > 0), `some units are dead: ${JSON.stringify(some)}`);
  assert.ok(some.every((b) => b.dead === null || b.dead <= 50), JSON.stringify(some));
  assert.match((await page.locator("#health-note").textContent()) ?? "", /^No problem flagged: .*more than 50% of its units dead\..*A layer is flagged above 50%/);
  await page.screenshot({ path: join(artifacts, "network-dead-unflagged.png"), fullPage: true });
  // A learning rate ten times too high kills whole layers: flagged, with the same numbers as the bars.
  await page.goto(`${base}?lab=net&data=xor&noise=0.15&hidden=4,4&act=relu&opt=adam&lr=0.3&batch=32&seed=1`);
  for (let i = 0; i < 20; i++) await page.locator("#net-step").click();
  const killed = await assertHealthAgrees(page);
  assert.ok(killed.some((b) => b.dead !== null && b.dead > 50), `a layer more than half dead: ${JSON.stringify(killed)}`);
  const note = (await page.locator("#health-note").textContent()) ?? "";
  assert.match(note, /dead neurons: .*Try: Leaky ReLU/);
  // The layers in front of a dead one get no gradient: said once, as dead units, not also as "vanishing, try ReLU".
  if (killed.some((b) => b.dead === 100)) assert.doesNotMatch(note, /vanishing/);
  await page.screenshot({ path: join(artifacts, "network-dead-flagged.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test("buttons draw their play, pause, step and reset icons as SVG, not font glyphs", async () => {
  const { page, errors } = await open("?lab=net&data=xor&hidden=8,8&act=relu&opt=adam&lr=0.03&seed=1");
  const play = page.locator("#play");
  assert.equal(await play.locator("svg.icon-play").count(), 1);
  await play.click();
  assert.equal(await play.getAttribute("aria-pressed"), "true");
  assert.equal(await play.locator("svg.icon-pause").count(), 1);
  assert.equal((await play.textContent())?.trim(), "Pause");
  const box = await play.locator("svg.icon-pause").boundingBox();
  assert.ok(box !== null && box.width >= 12 && box.height >= 12, `the pause icon is drawn: ${JSON.stringify(box)}`);
  await play.screenshot({ path: join(artifacts, "button-pause.png") });
  await play.click();
  assert.equal(await play.locator("svg.icon-play").count(), 1);
  await page.locator(".controls").screenshot({ path: join(artifacts, "buttons-network.png") });
  // No button relies on a symbol font: text is plain ASCII (and »), every icon an <svg>.
  for (const lab of ["net", "expr", "lessons"]) {
    await page.goto(`${base}?lab=${lab}`);
    for (const text of await page.locator("button").allTextContents()) assert.match(text, /^[\x20-\x7E»]*$/, `button text "${text}"`);
    if (lab !== "expr") continue;
    assert.equal(await page.locator("#step svg.icon-forward").count(), 1);
    assert.equal(await page.locator("#step-back svg.icon-back").count(), 1);
    assert.equal(await page.locator("#restart svg.icon-reset").count(), 1);
    await page.locator(".controls").screenshot({ path: join(artifacts, "buttons-expression.png") });
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test("the URL restores a lab's state, and every change is written back to it", async () => {
  const { page, errors } = await open("?lab=net&data=moons&hidden=4,3&act=tanh&opt=sgd&lr=0.5&reg=l2&dropout=0.1");
  assert.equal(await page.locator("#tab-net").getAttribute("aria-selected"), "true");
  assert.equal(await page.locator("select[name=data]").inputValue(), "moons");
  assert.equal(await page.locator("input[name=hidden]").inputValue(), "4,3");
  assert.equal(await page.locator("select[name=act]").inputValue(), "tanh");
  assert.equal(await page.locator("select[name=opt]").inputValue(), "sgd");
  assert.equal(await page.locator("select[name=reg]").inputValue(), "l2");
  await page.locator("select[name=data]").selectOption("spirals");
  assert.match(page.url(), /data=spirals/);
  assert.match(page.url(), /hidden=4%2C3/);

  // The user's own points: from the link, from a click on the plot, and trained on.
  await page.goto(`${base}?lab=net&data=custom&points=${encodeURIComponent("0.50,0.50,1;-0.50,-0.50,0")}`);
  assert.equal(await page.locator("textarea[name=points]").inputValue(), "0.50,0.50,1;-0.50,-0.50,0");
  await page.locator("#boundary").click();
  assert.equal((await page.locator("textarea[name=points]").inputValue()).split(";").length, 3);
  assert.match(decodeURIComponent(page.url()), /points=0\.50,0\.50,1;-0\.50,-0\.50,0;[-\d.]+,[-\d.]+,1/);
  await page.locator("#net-step").click();
  assert.equal(await page.locator("#net-steps").textContent(), "1");

  await page.goto(`${base}?lab=expr&e=${encodeURIComponent("sin(x^2)")}&v=${encodeURIComponent("x=1.3")}&step=2`);
  assert.equal(await page.locator("#expr").inputValue(), "sin(x^2)");
  assert.match((await page.locator("#step-counter").textContent()) ?? "", /^step 2 \//);
  assert.ok(Math.abs(Number(await cell(page, "x", "analytic").textContent()) - 2 * 1.3 * Math.cos(1.69)) < 1e-5);

  await page.goto(`${base}?lab=lessons&x=vanish&depth=12`);
  assert.equal(await page.locator("input[name=depth]").inputValue(), "12");
  const ratio = async (kind: string) => Number(await page.locator(`figure[data-stack=${kind}]`).getAttribute("data-ratio"));
  assert.ok((await ratio("sigmoid")) < 1e-3, "sigmoid stacks vanish");
  assert.ok((await ratio("relu")) > 1e-2 && (await ratio("residual")) > 1e-2, "ReLU and residual keep the gradient");
  await page.screenshot({ path: join(artifacts, "lesson-vanishing.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test("lesson experiments run, tabs work from the keyboard, and the page fits a phone", async () => {
  const { page, errors } = await open("?lab=lessons&x=nograd", { width: 390, height: 844 });
  const nodes = await page.locator("#nograd-table .nodes").allTextContents();
  assert.ok(Number(nodes[0]) > 5 && Number(nodes[1]) === 0, `graph nodes kept: ${nodes.join(", ")}`);
  await page.locator("button[data-x=zerograd]").click();
  await page.locator("#acc-backward").click();
  await page.locator("#acc-backward").click();
  assert.equal(await page.locator("#acc-grad").textContent(), "14");
  await page.locator(".chart-box.wide svg path").first().waitFor();
  await page.screenshot({ path: join(artifacts, "phone-zerograd.png"), fullPage: true });
  await page.locator("button[data-x=optim]").click();
  await page.waitForFunction(`/^Final/.test(document.querySelector("#optim-final")?.textContent ?? "")`, undefined, { timeout: 30_000 });
  const width = Number(await page.evaluate("document.documentElement.scrollWidth"));
  assert.ok(width <= 390, `page is ${width}px wide on a 390px phone`);
  await page.screenshot({ path: join(artifacts, "phone-optimizers.png"), fullPage: true });
  for (const lab of ["expr", "net"]) {
    await page.goto(`${base}?lab=${lab}`);
    const w = Number(await page.evaluate("document.documentElement.scrollWidth"));
    assert.ok(w <= 390, `the ${lab} lab is ${w}px wide on a 390px phone`);
  }
  await page.screenshot({ path: join(artifacts, "phone-network.png"), fullPage: true });
  await page.locator("#tab-lessons").focus();
  await page.keyboard.press("ArrowLeft");
  assert.equal(await page.locator("#tab-net").getAttribute("aria-selected"), "true");
  assert.deepEqual(errors, []);
  await page.close();
});

test("network lab: trains on WebGPU where the browser has it, and the page says which backend runs", async () => {
  const { browser: gpuBrowser } = await launchChromium(["--enable-unsafe-webgpu"]);
  try {
    const { page, errors } = await openPage(gpuBrowser, base + "?lab=net&data=xor&hidden=8,8");
    await page.locator("#net-backend", { hasText: "training on webgpu" }).waitFor({ timeout: 30_000 });
    assert.match((await page.locator("#backend-status").textContent()) ?? "", /the network lab trains on webgpu/);
    for (let i = 0; i < 3; i++) await page.locator("#net-step").click();
    await page.locator("#net-steps", { hasText: "3" }).waitFor({ timeout: 30_000 });
    await page.locator("#play").click();
    await page.waitForFunction("Number(document.querySelector('#net-steps').textContent) > 30", undefined, { timeout: 60_000 });
    await page.locator("#play").click();
    assert.ok(Number.isFinite(Number(await page.locator("#train-loss").textContent())), "a train loss is shown");
    await page.screenshot({ path: join(artifacts, "network-lab-webgpu.png"), fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await gpuBrowser.close();
  }
});
