// One place that finds and launches the Chromium the browser tests drive: CHROMIUM_PATH if set, else the Chromium
// that the npm package @sparticuz/chromium ships (so `npm ci && npm test` needs no system package), else a system
// Chromium. Tests fail, never skip, when none of them starts.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium as playwright, type Browser } from "playwright-core";

/** Where a Chromium came from, in the order they are tried. */
export type ChromiumSource = "CHROMIUM_PATH" | "npm" | "system";

/** A Chromium to launch: its binary and what its process needs in its environment. */
export interface ChromiumInstall {
  source: ChromiumSource;
  executablePath: string;
  /** Added to the browser process's environment (shared libraries and fonts of the npm Chromium). */
  env: Record<string, string>;
}

/** Debian's package (`apt-get install chromium`), the last resort. */
export const SYSTEM_CHROMIUM = "/usr/bin/chromium";

/**
 * Headless, sandbox off (tests run as root in CI), and nothing that reaches out: the machine's network is closed,
 * and without these flags Chromium keeps trying to reach Google's services.
 */
export const OFFLINE_ARGS: readonly string[] = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--disable-domain-reliability", "--no-pings",
];

interface NpmPackage {
  /** The package's bin/ folder: the brotli archives of Chromium, its fonts, SwiftShader and shared libraries. */
  bin: string;
  version: string;
}

function npmPackage(): NpmPackage {
  const entry = fileURLToPath(import.meta.resolve("@sparticuz/chromium"));
  const root = join(dirname(entry), "..");
  const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
  return { bin: join(root, "bin"), version };
}

/**
 * Unpacks the npm Chromium once per machine, user and package version into a folder of the temp directory, and
 * returns that folder. It is unpacked into a private staging folder and renamed into place, so a test run that is
 * killed half-way, or two test files (or two worktrees) unpacking at once, never leave or see a partial binary.
 */
let unpacked: Promise<string> | undefined;
export function unpackNpmChromium(): Promise<string> {
  unpacked ??= unpack();
  return unpacked;
}

async function unpack(): Promise<string> {
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new Error(`@sparticuz/chromium ships Chromium for linux-x64 only, not ${process.platform}-${process.arch}`);
  }
  const pkg = npmPackage();
  const dir = npmChromiumCacheDir(pkg);
  if (existsSync(join(dir, "chromium"))) return dir;
  removeAbandonedStaging(dir);
  const staging = mkdtempSync(`${dir}.staging-`);
  try {
    const { default: chromium, inflate } = await import("@sparticuz/chromium");
    // The package unpacks into os.tmpdir(), read when each call starts (before its first await): point that at the
    // staging folder for the two calls only, so nothing else in this process sees the change.
    const saved = process.env["TMPDIR"];
    let binary: Promise<string>;
    let libraries: Promise<string>;
    process.env["TMPDIR"] = staging;
    try {
      binary = chromium.executablePath(pkg.bin);
      libraries = inflate(join(pkg.bin, "al2023.tar.br")); // NSS and friends, for machines without them
    } finally {
      if (saved === undefined) delete process.env["TMPDIR"];
      else process.env["TMPDIR"] = saved;
    }
    const [exe] = await Promise.all([binary, libraries]);
    if (exe !== join(staging, "chromium")) throw new Error(`@sparticuz/chromium unpacked to ${exe}, not into ${staging}: its layout changed`);
    for (const file of ["libvk_swiftshader.so", "vk_swiftshader_icd.json", "libvulkan.so.1", "al2023/lib/libnss3.so", "fonts"]) {
      if (!existsSync(join(staging, file))) throw new Error(`@sparticuz/chromium ${pkg.version}: ${file} missing after unpacking`);
    }
    // The machine's own fonts where it has any, and the package's Open Sans always, so text renders everywhere.
    writeFileSync(join(staging, "fonts.conf"), [
      `<?xml version="1.0"?>`,
      `<!DOCTYPE fontconfig SYSTEM "fonts.dtd">`,
      `<fontconfig>`,
      `  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>`,
      `  <dir>${join(dir, "fonts")}</dir>`,
      `  <cachedir>${join(dir, "fontconfig-cache")}</cachedir>`,
      `</fontconfig>`,
      ``,
    ].join("\n"));
    try {
      renameSync(staging, dir);
    } catch (e) {
      // Another process got there first: its copy is complete (a rename is atomic), so use it.
      if (!existsSync(join(dir, "chromium"))) throw e;
      rmSync(staging, { recursive: true, force: true });
    }
    return dir;
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}

/** Staging folders older than an hour belong to runs that were killed while unpacking. */
function removeAbandonedStaging(dir: string): void {
  const parent = dirname(dir);
  const prefix = `${dir.slice(parent.length + 1)}.staging-`;
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(prefix)) continue;
    const path = join(parent, name);
    try {
      if (Date.now() - statSync(path).mtimeMs > 3_600_000) rmSync(path, { recursive: true, force: true });
    } catch {
      // gone already, or another user's: leave it
    }
  }
}

/**
 * The folder holding the npm Chromium's software Vulkan: `libvk_swiftshader.so`, `vk_swiftshader_icd.json` and
 * `libvulkan.so.1`. For WebGPU without a GPU: `VK_ICD_FILENAMES=<dir>/vk_swiftshader_icd.json` and
 * `LD_LIBRARY_PATH=<dir>`.
 * @example
 * const dir = await swiftShaderDir();
 * spawn(node, [script], { env: { ...process.env, LD_LIBRARY_PATH: dir, VK_ICD_FILENAMES: join(dir, "vk_swiftshader_icd.json") } });
 */
export function swiftShaderDir(): Promise<string> {
  return unpackNpmChromium();
}

/** The environment the npm Chromium needs on this machine: its NSS libraries only where the system's are missing. */
function npmChromiumEnv(dir: string): Record<string, string> {
  const env: Record<string, string> = { FONTCONFIG_FILE: join(dir, "fonts.conf") };
  let missing = true;
  try {
    missing = /not found/.test(execFileSync("ldd", [join(dir, "chromium")], { encoding: "utf8" }));
  } catch {
    // no ldd (not glibc): the bundled libraries are the best guess
  }
  // Prefer the machine's own libraries: the bundled ones are built for a newer glibc (2.34) than Chromium needs.
  if (missing) env["LD_LIBRARY_PATH"] = [join(dir, "al2023", "lib"), process.env["LD_LIBRARY_PATH"]].filter(Boolean).join(":");
  return env;
}

/** The npm package's Chromium, unpacked, with the environment it needs on this machine. */
export async function npmChromium(): Promise<ChromiumInstall> {
  const dir = await unpackNpmChromium();
  return { source: "npm", executablePath: join(dir, "chromium"), env: npmChromiumEnv(dir) };
}

/** The Chromiums to try, in order; each is located (the npm one unpacked) only when its turn comes. */
function candidates(): { source: ChromiumSource; install: () => Promise<ChromiumInstall> }[] {
  const explicit = process.env["CHROMIUM_PATH"];
  if (explicit !== undefined && explicit !== "") {
    // The user's choice, alone: falling back elsewhere would hide a wrong setting.
    return [{ source: "CHROMIUM_PATH", install: async () => ({ source: "CHROMIUM_PATH", executablePath: explicit, env: {} }) }];
  }
  return [
    { source: "npm", install: npmChromium },
    { source: "system", install: async () => ({ source: "system", executablePath: SYSTEM_CHROMIUM, env: {} }) },
  ];
}

/** Launches one Chromium headless with the offline flags (and `extraArgs`). */
export async function launch(install: ChromiumInstall, extraArgs: readonly string[] = []): Promise<Browser> {
  if (!existsSync(install.executablePath)) throw new Error(`${install.executablePath} does not exist`);
  return playwright.launch({
    executablePath: install.executablePath,
    args: [...OFFLINE_ARGS, ...extraArgs],
    env: { ...stringEnv(), ...install.env },
    timeout: 60_000,
  });
}

/**
 * Launches headless Chromium for a test file's `before()`: CHROMIUM_PATH if set, else the npm package's Chromium,
 * else the system's. Throws, naming each one tried and why it failed, when none starts.
 * @example
 * const { browser, install } = await launchChromium();
 * const page = await browser.newPage();
 */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<{ browser: Browser; install: ChromiumInstall }> {
  const failures: string[] = [];
  for (const candidate of candidates()) {
    let install: ChromiumInstall | undefined;
    try {
      install = await candidate.install();
      const browser = await launch(install, extraArgs);
      if (failures.length > 0) console.warn(`browser tests: using the ${install.source} Chromium (${install.executablePath}); tried first: ${failures.join("; ")}`);
      return { browser, install };
    } catch (e) {
      failures.push(`${candidate.source}${install ? ` (${install.executablePath})` : ""}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
    }
  }
  throw new Error(
    `no Chromium could be launched for the browser tests:\n  ${failures.join("\n  ")}\n` +
      "`npm ci` installs one (@sparticuz/chromium, for linux-x64); elsewhere set CHROMIUM_PATH to a Chromium or Chrome binary",
  );
}

function stringEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
}

/** Where the npm Chromium is (or will be) unpacked on this machine: one folder per package version and user. */
export function npmChromiumCacheDir(pkg: NpmPackage = npmPackage()): string {
  return join(tmpdir(), `chainrule-chromium-${pkg.version}-${process.getuid?.() ?? 0}`);
}
