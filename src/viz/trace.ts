// Records what the graph walk cannot see on its own: each op's result tensor and the module call that made it.
import { currentRecordHook, setRecordHook } from "../autograd/dispatch.js";
import type { Node } from "../autograd/node.js";
import { moduleTypeName } from "../nn/library.js";
import type { AnyModule } from "../nn/module.js";
import type { Tensor } from "../tensor/tensor.js";

/** Options for {@link trace}. */
export interface TraceOptions {
  /** A model whose submodules tag the ops recorded inside their `forward` (for `collapse`). */
  model?: AnyModule;
  /**
   * Keep the gradient of every intermediate result (`retainGrad()`), so the drawing can show it after
   * `backward()`. Default true; false keeps only the leaves' gradients.
   */
  retainGrads?: boolean;
}

/**
 * What {@link trace} recorded: the function's result, and for each graph node its output tensor and module.
 * @example cr.viz.trace(() => cr.tensor([2], { requiresGrad: true }).mul(3)).output // tensor([6])
 */
export class Trace<T = unknown> {
  /** @internal The result tensor of each recorded node (kept alive as long as this trace is). */
  readonly tensors = new Map<Node, Tensor>();
  /** @internal The module path (`"layers.0"`) or scope name under which each node was recorded. */
  readonly scopes = new Map<Node, string>();
  /** @internal The class name of the module behind each module path (`"Linear"`). */
  readonly scopeTypes = new Map<string, string>();
  /** @internal The model's parameters by name (`"layers.0.weight"`), to label the leaves. */
  readonly paramNames = new Map<Tensor, string>();

  /** @internal */
  constructor(
    /** What the traced function returned. */
    readonly output: T,
  ) {}
}

// The innermost `scope` or module call running now: each recorded node is tagged with its path.
const scopeStack: string[] = [];
let activeTrace: Trace | null = null;

function currentScope(): string | undefined {
  return scopeStack[scopeStack.length - 1];
}

/**
 * Runs `fn` and records, for every op it performs on tensors that require grad, the result tensor (so
 * {@link graph} can show intermediate values and gradients) and the module call or {@link scope} it
 * ran in (so `collapse` can fold each module into one box). The trace keeps those tensors alive:
 * drop it when the drawing is done.
 *
 * @example
 * ```ts
 * const x = cr.tensor(1.3, { requiresGrad: true, dtype: "float64" });
 * const t = cr.viz.trace(() => x.pow(2).sin());
 * t.output.backward();
 * const dot = cr.viz.graph(t.output, { trace: t, names: { x } }).toDot(); // values and gradients of x², sin
 * ```
 */
export function trace<T>(fn: () => T, opts: TraceOptions = {}): Trace<T> {
  const pending = new Trace<undefined>(undefined);
  const retain = opts.retainGrads ?? true;
  const handles: { remove(): void }[] = [];
  if (opts.model !== undefined) {
    for (const [name, mod] of opts.model.namedModules()) {
      const path = name === "" ? moduleTypeName(mod) : name;
      pending.scopeTypes.set(path, moduleTypeName(mod));
      handles.push(mod.registerForwardPreHook(() => void scopeStack.push(path)));
      handles.push(mod.registerForwardHook(() => void scopeStack.pop()));
    }
    for (const [name, p] of opts.model.namedParameters()) pending.paramNames.set(p, name);
  }
  const depth = scopeStack.length;
  const outerTrace = activeTrace;
  activeTrace = pending;
  const outerHook = currentRecordHook();
  using _hook = setRecordHook((node, out) => {
    outerHook?.(node, out);
    pending.tensors.set(node, out);
    const s = currentScope();
    if (s !== undefined) pending.scopes.set(node, s);
    if (retain) out.retainGrad();
  });
  try {
    const output = fn();
    const done = new Trace<T>(output);
    for (const [k, v] of pending.tensors) done.tensors.set(k, v);
    for (const [k, v] of pending.scopes) done.scopes.set(k, v);
    for (const [k, v] of pending.scopeTypes) done.scopeTypes.set(k, v);
    for (const [k, v] of pending.paramNames) done.paramNames.set(k, v);
    return done;
  } finally {
    activeTrace = outerTrace;
    scopeStack.length = depth; // a forward that threw leaves its module's name pushed
    for (const h of handles) h.remove();
  }
}

/**
 * Runs `fn` with the ops it records tagged `name` (nested scopes join with "."), for `collapse` to
 * fold into one box; a plain call of `fn` when no {@link trace} is running.
 *
 * @example
 * ```ts
 * const t = cr.viz.trace(() => cr.viz.scope("square", () => x.mul(x)).sin());
 * cr.viz.graph(t.output, { trace: t, collapse: true }).toMermaid(); // a "square" box, then sin
 * ```
 */
export function scope<T>(name: string, fn: () => T): T {
  if (activeTrace === null) return fn();
  const outer = currentScope();
  const path = outer === undefined ? name : `${outer}.${name}`;
  activeTrace.scopeTypes.set(path, name);
  scopeStack.push(path);
  try {
    return fn();
  } finally {
    scopeStack.pop();
  }
}
