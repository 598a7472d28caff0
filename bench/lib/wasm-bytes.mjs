// The few pieces of the WebAssembly binary format that hand-assembled modules need (the bench's FMA probe,
// the worker-pool tests): unsigned LEB128 integers and sections.

/** `n` (≥ 0) as unsigned LEB128 bytes. */
export const leb = (n) => {
  const out = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
};

/** A section: its id, its size in LEB128, its bytes. */
export const section = (id, bytes) => [id, ...leb(bytes.length), ...bytes];
