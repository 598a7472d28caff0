// The few pieces of the WebAssembly binary format that modules assembled at run time need (the fused
// elementwise compiler; the bench's FMA probe and the worker-pool tests use them too).

/** `n` (≥ 0) as unsigned LEB128 bytes. */
export const leb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
};

/** A section: its id, its size in LEB128, its bytes. */
export const section = (id: number, bytes: number[]): number[] => [id, ...leb(bytes.length), ...bytes];

/** A vector: its length, then its items. */
export const vec = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];

/** A name: its length, then its (ASCII) bytes. */
export const name = (text: string): number[] => [...leb(text.length), ...Array.from(text, (c) => c.charCodeAt(0))];
