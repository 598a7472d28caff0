// Tokenizers for language models: characters (a vocabulary built from a text) and UTF-8 bytes (256 ids),
// with streaming decoders for printing generated text as it comes, and a JSON form for model files.
import { ArgumentError, IndexError } from "../errors.js";
import { Tensor } from "../tensor/tensor.js";

/** A tokenizer as stored in a model file's metadata. */
export type TokenizerJSON = { kind: "char"; chars: string } | { kind: "byte" };

/** Turns text into token ids and back. */
export interface Tokenizer {
  /** Which tokenizer it is, as `toJSON` stores it: one id per character or per UTF-8 byte. */
  readonly kind: "char" | "byte";
  /** The number of distinct ids (the model's vocabSize). */
  readonly vocabSize: number;
  /** The ids of `text`. */
  encode(text: string): Int32Array;
  /** The text of `ids` (a 1-D tensor or any list of numbers). */
  decode(ids: ArrayLike<number> | Tensor): string;
  /** A decoder fed a few ids at a time that returns the text they complete (bytes may span ids). */
  decoder(): StreamDecoder;
  /** The JSON that `tokenizerFromJSON` rebuilds this tokenizer from. */
  toJSON(): TokenizerJSON;
}

/** Decodes ids as they arrive: `write` returns the text completed so far, `end` what is left. */
export interface StreamDecoder {
  /** Feeds more ids; returns the text they complete (a character split across ids waits for its last one). */
  write(ids: ArrayLike<number>): string;
  /** Ends the stream; returns what was left (U+FFFD for an incomplete character). */
  end(): string;
}

function idsOf(op: string, ids: ArrayLike<number> | Tensor): ArrayLike<number> {
  if (ids instanceof Tensor) {
    if (ids.dtype !== "int32" || ids.ndim > 1) throw new ArgumentError(`${op}: expected a 1-D int32 tensor of ids, got ${ids.dtype} [${ids.shape.join(",")}]`);
    return ids.toTypedArray();
  }
  return ids;
}

/**
 * One id per character (Unicode code point), the vocabulary being the characters of a text sorted
 * by code point — nanoGPT's shakespeare_char tokenizer. Text with a character outside the vocabulary
 * is refused, naming the character.
 * @example
 * const tok = cr.data.CharTokenizer.fromText("hello world");
 * tok.vocabSize;                  // 8
 * tok.decode(tok.encode("hello")); // "hello"
 */
export class CharTokenizer implements Tokenizer {
  /** Which tokenizer this is, as `toJSON` stores it. */
  readonly kind = "char" as const;
  /** The characters, in id order. */
  readonly chars: readonly string[];
  readonly #ids: Map<string, number>;

  /** A tokenizer over exactly these characters (each a single code point, no repeats), in this id order. */
  constructor(chars: readonly string[]) {
    if (!Array.isArray(chars) || chars.length === 0) throw new ArgumentError("CharTokenizer: expected a non-empty list of characters");
    const ids = new Map<string, number>();
    chars.forEach((c, i) => {
      if (typeof c !== "string" || [...c].length !== 1) throw new ArgumentError(`CharTokenizer: vocabulary entry ${i} (${JSON.stringify(c)}) is not a single character`);
      if (ids.has(c)) throw new ArgumentError(`CharTokenizer: ${JSON.stringify(c)} appears twice in the vocabulary`);
      ids.set(c, i);
    });
    this.chars = [...chars];
    this.#ids = ids;
  }

  /**
   * The vocabulary of `text`: its distinct characters sorted by code point.
   * @example cr.data.CharTokenizer.fromText("hello").chars // ["e", "h", "l", "o"]
   */
  static fromText(text: string): CharTokenizer {
    if (typeof text !== "string" || text.length === 0) throw new ArgumentError("CharTokenizer.fromText: expected a non-empty string");
    const chars = [...new Set(text)].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    return new CharTokenizer(chars);
  }

  /** The number of ids: the vocabulary's characters. */
  get vocabSize(): number {
    return this.chars.length;
  }

  /**
   * The id of each character of `text` (one per code point); a character outside the vocabulary is an ArgumentError.
   * @example cr.data.CharTokenizer.fromText("hello").encode("hole") // [1, 3, 2, 0]
   */
  encode(text: string): Int32Array {
    if (typeof text !== "string") throw new ArgumentError(`CharTokenizer.encode: expected a string, got ${typeof text}`);
    const out = new Int32Array(text.length); // at most one id per UTF-16 unit
    let n = 0;
    for (const c of text) {
      const id = this.#ids.get(c);
      if (id === undefined) {
        throw new ArgumentError(`CharTokenizer.encode: ${JSON.stringify(c)} (U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}) at character ${n} is not in the vocabulary of ${this.vocabSize} characters`);
      }
      out[n++] = id;
    }
    return out.slice(0, n);
  }

  /**
   * The text of `ids` (a list or a 1-D tensor); an id outside the vocabulary is an IndexError.
   * @example cr.data.CharTokenizer.fromText("hello").decode([1, 3, 2, 0]) // "hole"
   */
  decode(ids: ArrayLike<number> | Tensor): string {
    const list = idsOf("CharTokenizer.decode", ids);
    let s = "";
    for (let i = 0; i < list.length; i++) {
      const c = this.chars[list[i]!];
      if (c === undefined) throw new IndexError(`CharTokenizer.decode: id ${list[i]} is out of range for a vocabulary of ${this.vocabSize}`);
      s += c;
    }
    return s;
  }

  /**
   * A streaming decoder: with one id per character, each write gives its ids' characters at once.
   * @example cr.data.CharTokenizer.fromText("hi").decoder().write([1, 0]) // "ih"
   */
  decoder(): StreamDecoder {
    return { write: (ids) => this.decode(ids), end: () => "" };
  }

  /**
   * The vocabulary as one string, which `cr.data.tokenizerFromJSON` turns back into this tokenizer.
   * @example cr.data.CharTokenizer.fromText("hello").toJSON() // { kind: "char", chars: "ehlo" }
   */
  toJSON(): TokenizerJSON {
    return { kind: "char", chars: this.chars.join("") };
  }
}

/**
 * One id per UTF-8 byte (256 ids): any text encodes, with no vocabulary to build. Decoding bytes that
 * do not form valid UTF-8 gives U+FFFD for them, as TextDecoder does.
 * @example
 * const tok = new cr.data.ByteTokenizer();
 * tok.encode("é"); // Int32Array [195, 169]
 */
export class ByteTokenizer implements Tokenizer {
  /** Which tokenizer this is, as `toJSON` stores it. */
  readonly kind = "byte" as const;
  /** 256: one id per byte value. */
  readonly vocabSize = 256;

  /**
   * The UTF-8 bytes of `text`, one id each.
   * @example new cr.data.ByteTokenizer().encode("hé") // [104, 195, 169]
   */
  encode(text: string): Int32Array {
    if (typeof text !== "string") throw new ArgumentError(`ByteTokenizer.encode: expected a string, got ${typeof text}`);
    return Int32Array.from(new TextEncoder().encode(text));
  }

  #bytes(op: string, ids: ArrayLike<number>): Uint8Array {
    const bytes = new Uint8Array(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const b = ids[i]!;
      if (!Number.isInteger(b) || b < 0 || b > 255) throw new IndexError(`${op}: id ${b} is not a byte (0..255)`);
      bytes[i] = b;
    }
    return bytes;
  }

  /**
   * The text whose UTF-8 bytes are `ids` (U+FFFD for bytes that are not valid UTF-8; an id above 255 is an IndexError).
   * @example new cr.data.ByteTokenizer().decode([104, 195, 169]) // "hé"
   */
  decode(ids: ArrayLike<number> | Tensor): string {
    return new TextDecoder().decode(this.#bytes("ByteTokenizer.decode", idsOf("ByteTokenizer.decode", ids)));
  }

  /**
   * A streaming decoder: a character whose bytes span writes comes out with the write that completes it.
   * @example new cr.data.ByteTokenizer().decoder().write([195]) // "", until 169 completes "é"
   */
  decoder(): StreamDecoder {
    const td = new TextDecoder();
    return {
      write: (ids) => td.decode(this.#bytes("ByteTokenizer.decoder", ids), { stream: true }),
      end: () => td.decode(),
    };
  }

  /**
   * `{ kind: "byte" }`: the tokenizer has no vocabulary to store.
   * @example new cr.data.ByteTokenizer().toJSON() // { kind: "byte" }
   */
  toJSON(): TokenizerJSON {
    return { kind: "byte" };
  }
}

/**
 * Rebuilds a tokenizer from `toJSON()`'s output (or its JSON text), as a model file stores it.
 * @example const tok = cr.data.tokenizerFromJSON(metadata["chainrule.tokenizer"]);
 */
export function tokenizerFromJSON(json: TokenizerJSON | string): Tokenizer {
  let value: unknown = json;
  if (typeof json === "string") {
    try {
      value = JSON.parse(json);
    } catch {
      throw new ArgumentError("tokenizerFromJSON: not valid JSON");
    }
  }
  const v = value as Partial<{ kind: unknown; chars: unknown }> | null;
  if (v !== null && typeof v === "object" && v.kind === "byte") return new ByteTokenizer();
  if (v !== null && typeof v === "object" && v.kind === "char" && typeof v.chars === "string") return new CharTokenizer([...v.chars]);
  throw new ArgumentError(`tokenizerFromJSON: expected { kind: "char", chars } or { kind: "byte" }, got ${JSON.stringify(value)?.slice(0, 80)}`);
}
