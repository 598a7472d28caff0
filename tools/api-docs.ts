// Which public names of chainrule lack a doc comment: every export reachable from src/index.ts (namespaces
// walked), and the public members of exported classes and interfaces. `npm run docs:check` prints the counts and
// the names; test/api-docs.test.ts keeps the list from growing (docs/api-undocumented.txt, rewritten with --write).
// It also lists the public functions, classes and class methods whose doc comment has no `@example`
// (docs/api-no-example.txt), which may likewise only shrink.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

const root = join(import.meta.dirname, "..");
/** The committed list of public names still without a doc comment; it may only shrink. */
export const BASELINE = join(root, "docs", "api-undocumented.txt");

/** The committed list of public functions, classes and class methods whose doc comment has no `@example`; it may only shrink. */
export const EXAMPLE_BASELINE = join(root, "docs", "api-no-example.txt");

/** Public names without a doc comment, by kind, and the callable ones without an `@example`. */
export interface DocCoverage {
  exports: { total: number; missing: string[] };
  members: { total: number; missing: string[] };
  /** Exported functions and classes, and public methods of exported classes: how many, and those without an `@example`. */
  examples: { total: number; missing: string[] };
}

// An `@example` on any declaration counts (an overloaded function carries it on one overload).
function hasExample(symbol: ts.Symbol): boolean {
  return (symbol.declarations ?? []).some((d) => ts.getJSDocTags(d).some((t) => t.tagName.text === "example"));
}

function documented(symbol: ts.Symbol, checker: ts.TypeChecker): boolean {
  if (symbol.getDocumentationComment(checker).length > 0) return true;
  // A doc comment with only tags (`@internal`, `@example`) still documents it; so does one on any declaration.
  return (symbol.declarations ?? []).some((d) => ts.getJSDocCommentsAndTags(d).length > 0);
}

function isInternal(symbol: ts.Symbol): boolean {
  return symbol.getJsDocTags().some((t) => t.name === "internal" || t.name === "hidden");
}

function isPublicMember(symbol: ts.Symbol): boolean {
  const name = symbol.getName();
  if (name === "prototype" || name.startsWith("_") || name.startsWith("#") || name.startsWith("__@")) return false;
  if (isInternal(symbol)) return false;
  return (symbol.declarations ?? []).every((d) => {
    const flags = ts.getCombinedModifierFlags(d);
    return (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) === 0 && !(ts.isPropertyDeclaration(d) && ts.isPrivateIdentifier(d.name));
  });
}

/** Walks the public API from src/index.ts. */
export function docCoverage(): DocCoverage {
  const config = ts.getParsedCommandLineOfConfigFile(join(root, "tsconfig.build.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
  const program = ts.createProgram([join(root, "src", "index.ts")], config.options);
  const checker = program.getTypeChecker();
  const index = checker.getSymbolAtLocation(program.getSourceFile(join(root, "src", "index.ts"))!)!;
  const out: DocCoverage = { exports: { total: 0, missing: [] }, members: { total: 0, missing: [] }, examples: { total: 0, missing: [] } };
  const needsExample = (symbol: ts.Symbol, name: string): void => {
    out.examples.total++;
    if (!hasExample(symbol)) out.examples.missing.push(name);
  };
  const seenModules = new Set<ts.Symbol>();
  const seenTypes = new Set<ts.Symbol>();

  const members = (owner: ts.Symbol, path: string): void => {
    if (seenTypes.has(owner)) return;
    seenTypes.add(owner);
    const all: ts.Symbol[] = [];
    owner.members?.forEach((m) => all.push(m));
    owner.exports?.forEach((m) => { if (m.flags & (ts.SymbolFlags.Method | ts.SymbolFlags.Property | ts.SymbolFlags.Accessor)) all.push(m); });
    for (const m of all) {
      if (!(m.flags & (ts.SymbolFlags.Method | ts.SymbolFlags.Property | ts.SymbolFlags.Accessor))) continue;
      if (!isPublicMember(m)) continue;
      const decl = m.declarations?.[0];
      // Members from the generated elementwise methods and the library's own .d.ts files are documented at their source.
      if (decl !== undefined && decl.getSourceFile().isDeclarationFile) continue;
      // An override shows its base's documentation (TypeDoc inherits it), as `name` of the error classes does.
      if (decl !== undefined && ts.getCombinedModifierFlags(decl as ts.Declaration) & ts.ModifierFlags.Override) continue;
      out.members.total++;
      if (!documented(m, checker)) out.members.missing.push(`${path}.${m.getName()}`);
      if (owner.flags & ts.SymbolFlags.Class && m.flags & ts.SymbolFlags.Method) needsExample(m, `${path}.${m.getName()}`);
    }
  };

  const walk = (module: ts.Symbol, prefix: string): void => {
    if (seenModules.has(module)) return;
    seenModules.add(module);
    for (const exported of checker.getExportsOfModule(module)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const name = `${prefix}${exported.getName()}`;
      if (symbol.flags & ts.SymbolFlags.ValueModule && symbol.declarations?.some((d) => ts.isSourceFile(d))) {
        walk(symbol, `${name}.`);
        continue;
      }
      if (isInternal(symbol)) continue;
      out.exports.total++;
      if (!documented(symbol, checker)) out.exports.missing.push(name);
      if (symbol.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Class)) needsExample(symbol, name);
      if (symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface)) members(symbol, name);
    }
  };
  walk(index, "");
  out.exports.missing.sort();
  out.members.missing.sort();
  out.examples.missing.sort();
  return out;
}

/** The names in a baseline file (the undocumented names by default). */
export function readBaseline(file = BASELINE): string[] {
  return readFileSync(file, "utf8").split("\n").filter((l) => l !== "" && !l.startsWith("#"));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const c = docCoverage();
  const missing = [...c.exports.missing, ...c.members.missing];
  if (process.argv.includes("--list")) for (const n of missing) console.log(n);
  console.log(`public exports: ${c.exports.total}, without a doc comment: ${c.exports.missing.length}`);
  console.log(`public members of exported classes and interfaces: ${c.members.total}, without a doc comment: ${c.members.missing.length}`);
  if (process.argv.includes("--list")) for (const n of c.examples.missing) console.log(`no @example: ${n}`);
  console.log(`public functions, classes and class methods: ${c.examples.total}, without an @example: ${c.examples.missing.length}`);
  if (process.argv.includes("--write")) {
    writeFileSync(BASELINE, `# Public names without a doc comment (tools/api-docs.ts --write). This list may only shrink: test/api-docs.test.ts\n# fails for a new undocumented name, and for a name here that has since been documented.\n${missing.join("\n")}\n`);
    console.log(`wrote ${BASELINE}`);
    writeFileSync(EXAMPLE_BASELINE, `# Public functions, classes and class methods whose doc comment has no @example (tools/api-docs.ts --write). This list may\n# only shrink: test/api-docs.test.ts fails for a new one without an example, and for a name here that has one now.\n${c.examples.missing.join("\n")}\n`);
    console.log(`wrote ${EXAMPLE_BASELINE}`);
  }
}
