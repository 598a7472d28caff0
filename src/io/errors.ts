// The error thrown for malformed file contents, so callers can tell a corrupt file from a bad argument.

/**
 * Thrown when bytes or text do not hold what their format requires: a truncated or inconsistent
 * safetensors file, an IDX file whose header disagrees with its size, a CSV with a ragged row or a
 * non-numeric feature. The message names the file (where there is one) and what is wrong.
 * @example
 * try { cr.safetensors.load("model.safetensors"); }
 * catch (e) { if (e instanceof cr.FormatError) console.error(e.message); }
 */
export class FormatError extends Error {
  override name = "FormatError";
}
