// Writing a file so that it is either the old one or the whole new one, never a part: model files, plots, graphs.
import { describeError, nodeBuiltin } from "./node.js";

// The signals whose default action ends the process: one arriving mid-write would leave the
// temporary file behind (Ctrl-C, `kill`, a closed terminal).
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Writes `data` to `path` atomically (Node only): the bytes go to a temporary file beside `path`,
 * are flushed to the disk (fsync), and the temporary file is renamed over `path`, so a crash, a
 * full disk or Ctrl-C leaves either the old file or the complete new one, never a half-written one.
 * A failed write removes the temporary file and throws an Error naming `op` and `path`.
 *
 * A signal that would end the process (SIGINT, SIGTERM, SIGHUP) while the bytes are being written
 * is held until the write is complete and then delivered as it would have been; signals the
 * program already handles are left to its handlers.
 * @example
 * writeFileAtomic("model.safetensors", bytes, "safetensors.save");
 */
export function writeFileAtomic(path: string, data: Uint8Array | string, op: string): void {
  const fs = nodeBuiltin("fs", op);
  const nodePath = nodeBuiltin("path", op);
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const dir = nodePath.dirname(path);
  const tmp = nodePath.join(dir, `.${nodePath.basename(path)}.${globalThis.process.pid}-${Math.random().toString(36).slice(2)}.tmp`);
  const release = holdSignals();
  try {
    let fd: number | undefined;
    try {
      fd = fs.openSync(tmp, "wx");
      for (let at = 0; at < bytes.length; ) at += fs.writeSync(fd, bytes, at, bytes.length - at);
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      fd = undefined;
      fs.renameSync(tmp, path);
    } catch (e) {
      if (fd !== undefined) closeQuietly(fs, fd);
      removeQuietly(fs, tmp);
      throw new Error(`${op}: cannot write "${path}": ${describeError(e)}`, { cause: e });
    }
    syncDirectory(fs, dir);
  } finally {
    release();
  }
}

type Fs = ReturnType<typeof nodeBuiltin<"fs">>;

function closeQuietly(fs: Fs, fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // The write already failed; that error is the one worth reporting.
  }
}

function removeQuietly(fs: Fs, file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    // As above: the original error is reported.
  }
}

// The rename is durable once the directory entry is on the disk too. Not every platform can open a
// directory (Windows cannot), and the file itself is already complete, so a failure here is ignored.
function syncDirectory(fs: Fs, dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch {
    // See above.
  } finally {
    if (fd !== undefined) closeQuietly(fs, fd);
  }
}

/**
 * Catches the process-ending signals nobody handles for the duration of a synchronous write. Node
 * runs a signal's listeners only once the current JavaScript has finished, so while a listener is
 * installed the write always completes; the listener then removes itself and raises the signal
 * again, which now takes its default action. Listeners stay until the event loop has delivered any
 * pending signal: removing them at once would drop a Ctrl-C that arrived mid-write. The loop reads
 * signals in its poll phase, which may come after the next round of immediates (it does when the
 * write ran inside a module's top-level code), so removal waits for the immediate after next.
 */
function holdSignals(): () => void {
  const proc = globalThis.process;
  if (proc === undefined || typeof proc.on !== "function") return () => undefined;
  const held: [NodeJS.Signals, () => void][] = [];
  const removeAll = () => {
    for (const [sig, fn] of held) proc.removeListener(sig, fn);
    held.length = 0;
  };
  for (const sig of SIGNALS) {
    if (proc.listenerCount(sig) > 0) continue;
    const fn = () => {
      removeAll();
      if (proc.listenerCount(sig) === 0) proc.kill(proc.pid, sig);
    };
    try {
      proc.on(sig, fn);
      held.push([sig, fn]);
    } catch {
      // A platform without this signal (SIGHUP on some systems): nothing to hold.
    }
  }
  return () => {
    if (held.length > 0) setImmediate(() => setImmediate(removeAll).unref()).unref();
  };
}
