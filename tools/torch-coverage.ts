// How much of PyTorch's API chainrule has: the public names of `torch`, `torch.Tensor` and `torch.nn.functional`
// (test/fixtures/torch-api.json, written by tools/list_torch_api.py from torch 1.13) looked up in chainrule under
// their camelCase names (`log_softmax` → `logSoftmax`, `nan_to_num_` → `nanToNum_`): `torch.*` in `cr`, the
// Tensor's methods and properties on `cr.Tensor.prototype`, `F.*` in `cr.nn.functional`. Informative: it prints
// the coverage per namespace (and with --missing, what is missing); it gates nothing.
//   npm run coverage:torch [-- --missing]
import { readFileSync } from "node:fs";
import * as cr from "../src/index.js";

interface ApiName {
  readonly name: string;
  readonly kind: "function" | "method" | "property";
  /** A name of one device, library or storage format (CUDA, quantized, sparse, …): counted apart. */
  readonly specific: boolean;
}
interface TorchApi {
  readonly torch: string;
  readonly namespaces: Readonly<Record<string, readonly ApiName[]>>;
}

/** PyTorch's snake_case name in camelCase, a trailing underscore (in place) kept: `nan_to_num_` → `nanToNum_`. */
export function camelCase(name: string): string {
  const inplace = name.endsWith("_") ? "_" : "";
  const core = inplace === "" ? name : name.slice(0, -1);
  return core.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()) + inplace;
}

/** Where each namespace's names are looked up in chainrule. */
const TARGETS: Readonly<Record<string, object>> = {
  "torch": cr,
  // An instance, so fields set by the constructor (shape, dtype) count as well as the prototype's methods.
  "torch.Tensor": cr.zeros([1]),
  "torch.nn.functional": cr.nn.functional,
};

export interface NamespaceCoverage {
  readonly namespace: string;
  /** Names other than the device- or format-specific ones, and how many chainrule has. */
  readonly total: number;
  readonly covered: number;
  readonly missing: readonly string[];
  /** The device- or format-specific names, and how many chainrule has. */
  readonly specificTotal: number;
  readonly specificCovered: number;
}

export function readTorchApi(path = new URL("../test/fixtures/torch-api.json", import.meta.url)): TorchApi {
  return JSON.parse(readFileSync(path, "utf8")) as TorchApi;
}

/** Coverage of every namespace of `api`. */
export function torchCoverage(api: TorchApi = readTorchApi()): NamespaceCoverage[] {
  return Object.entries(api.namespaces).map(([namespace, names]) => {
    const target = TARGETS[namespace];
    if (target === undefined) throw new Error(`torch-coverage: no chainrule namespace for ${namespace}`);
    const has = (n: ApiName) => camelCase(n.name) in target;
    const portable = names.filter((n) => !n.specific);
    const specific = names.filter((n) => n.specific);
    return {
      namespace,
      total: portable.length,
      covered: portable.filter(has).length,
      missing: portable.filter((n) => !has(n)).map((n) => n.name),
      specificTotal: specific.length,
      specificCovered: specific.filter(has).length,
    };
  });
}

const percent = (a: number, b: number) => (b === 0 ? "—" : `${((100 * a) / b).toFixed(1)}%`);

/** The report `npm run coverage:torch` prints. */
export function coverageReport(coverage: readonly NamespaceCoverage[], torchVersion: string, showMissing: boolean): string {
  const lines = [`chainrule's coverage of PyTorch ${torchVersion}'s public names (camelCase), per namespace:`, ""];
  const width = Math.max(...coverage.map((c) => c.namespace.length));
  for (const c of coverage) {
    lines.push(`  ${c.namespace.padEnd(width)}  ${String(c.covered).padStart(4)} / ${String(c.total).padEnd(4)} ${percent(c.covered, c.total).padStart(6)}` +
      `   (device- or format-specific names apart: ${c.specificCovered} / ${c.specificTotal})`);
  }
  if (showMissing) {
    for (const c of coverage) {
      lines.push("", `Missing from ${c.namespace} (${c.missing.length}):`);
      lines.push(...wrap(c.missing.map((n) => `${n} (${camelCase(n)})`).join(", "), 110).map((l) => `  ${l}`));
    }
  } else {
    lines.push("", "Run with --missing for the names chainrule lacks.");
  }
  return lines.join("\n");
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line.length + word.length + 1 > width && line !== "") {
      out.push(line);
      line = "";
    }
    line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") out.push(line);
  return out;
}

if (process.argv[1]?.endsWith("torch-coverage.ts")) {
  const api = readTorchApi();
  console.log(coverageReport(torchCoverage(api), api.torch, process.argv.includes("--missing")));
}
