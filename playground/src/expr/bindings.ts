// Reads the Values field of the Expression lab: "x=-2, y=5 z=-4", or small tensors "x=[1, 2, 3]".

export type Binding = number | number[];

const ENTRY = /\s*([A-Za-z_][A-Za-z_0-9]*)\s*=\s*(\[[^\]]*\]|[^\s,;[\]]+)\s*[,;]?/y;

/** Parses "x=-2, y=5 z=[1,2]" into values; anything that is not name=number or name=[numbers] is an error naming it. */
export function parseBindings(text: string): Map<string, Binding> {
  const out = new Map<string, Binding>();
  let i = 0;
  while (i < text.length && text.slice(i).trim() !== "") {
    ENTRY.lastIndex = i;
    const m = ENTRY.exec(text);
    if (m === null) throw new Error(`Values: cannot read "${text.slice(i).trim()}": write name=number or name=[n, n, …]`);
    const [, name, raw] = m as unknown as [string, string, string];
    if (raw.startsWith("[")) {
      const parts = raw.slice(1, -1).split(",").map((p) => p.trim()).filter((p) => p !== "");
      const nums = parts.map(Number);
      if (nums.length === 0 || nums.length > 16 || nums.some((v) => !Number.isFinite(v))) throw new Error(`Values: ${name}=${raw} needs 1 to 16 numbers`);
      out.set(name, nums);
    } else {
      const v = Number(raw);
      if (!Number.isFinite(v)) throw new Error(`Values: "${name}=${raw}" is not name=number`);
      out.set(name, v);
    }
    i = ENTRY.lastIndex;
  }
  return out;
}

/** Writes bindings back as text, the form the URL keeps. */
export function formatBindings(values: ReadonlyMap<string, Binding>): string {
  return [...values].map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(", ")}]` : v}`).join(" ");
}

/** The scalar bindings only, or null when any binding is a tensor. */
export function scalarsOnly(values: ReadonlyMap<string, Binding>): Map<string, number> | null {
  const out = new Map<string, number>();
  for (const [k, v] of values) {
    if (Array.isArray(v)) return null;
    out.set(k, v);
  }
  return out;
}
