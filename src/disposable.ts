// The two global types `using` rests on, declared for the package's users: chainrule's declarations return
// `Disposable`s (noGrad(), setDefaultDtype(), scopes), and a TypeScript project whose `lib` lacks
// "esnext.disposable" (a plain ES2022 + DOM browser project) would otherwise fail to compile them. The
// declarations are the same as TypeScript's own lib (and @types/node's), so they merge where that lib is present.
export {};

declare global {
  interface SymbolConstructor {
    /** The method `using` calls at the end of its block. */
    readonly dispose: unique symbol;
  }
  /** What a `using` declaration holds: an object that releases or restores something at the end of the block. */
  interface Disposable {
    [Symbol.dispose](): void;
  }
}
