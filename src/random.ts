// Seeded pseudo-random numbers: `manualSeed` makes rand, randn, randint and dropout reproducible.
import { ArgumentError, CaptureError } from "./errors.js";
import { restoring } from "./restore.js";

/** While set, drawing a number throws a CaptureError with this message (a captured graph would replay the same draws). */
let drawsForbidden: string | null = null;

/** Forbids drawing random numbers (with the reason to give) until the returned Disposable is disposed. */
export function forbidDraws(message: string): Disposable {
  const previous = drawsForbidden;
  drawsForbidden = message;
  return restoring(() => (drawsForbidden = previous));
}

/**
 * A random number generator with its own state (xoshiro128**, seeded through splitmix32).
 * `cr.manualSeed(n)` reseeds the default one; pass your own as `{ generator }` to keep streams apart.
 * @example cr.rand([2], { generator: new cr.Generator(7) }) // tensor([0.23383, 0.44891])
 */
export class Generator {
  private s = new Uint32Array(4);
  private spare: number | null = null;

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  /**
   * Resets the state from `seed` (an integer); the same seed gives the same numbers.
   * @example new cr.Generator(1).manualSeed(7).uniform() === new cr.Generator(7).uniform() // true
   */
  manualSeed(seed: number): this {
    if (!Number.isFinite(seed)) throw new ArgumentError(`manualSeed: seed must be a finite number, got ${seed}`);
    let x = (Math.trunc(seed) ^ Math.trunc(seed / 0x100000000)) >>> 0;
    for (let i = 0; i < 4; i++) {
      // splitmix32 spreads one seed over four words of state.
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    this.spare = null;
    return this;
  }

  /**
   * The next 32 random bits.
   * @example new cr.Generator(7).nextUint32() // 1004282400
   */
  nextUint32(): number {
    if (drawsForbidden !== null) throw new CaptureError(drawsForbidden);
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /**
   * A uniform number in [0, 1) with 53 random bits.
   * @example new cr.Generator(7).uniform() // 0.23383
   */
  uniform(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /**
   * A standard normal number (Box–Muller, using both values of each pair).
   * @example new cr.Generator(7).normal() // -1.6177
   */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /**
   * A uniform integer in [low, high).
   * @example new cr.Generator(7).integer(0, 10) // 2
   */
  integer(low: number, high: number): number {
    return low + Math.floor(this.uniform() * (high - low));
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The generator used when no `generator` option is given. */
export const defaultGenerator = new Generator(0);

/**
 * Seeds the default generator, so rand, randn, randint and everything built on them repeat.
 * @example
 * cr.manualSeed(42); const a = cr.randn([3]);
 * cr.manualSeed(42); const b = cr.randn([3]); // same values as a
 */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}
