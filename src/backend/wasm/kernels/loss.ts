// AssemblyScript source of the negative log likelihood of float32 log-probabilities at int32 class indices, and
// its adjoint, in float64 as the cpu kernels (cpu/loss.ts), so both give the same bits. The input is
// [outer, classes, inner] (an unbatched [classes] has outer = inner = 1); target j = o·inner + i picks
// element (o, target[j], i). Targets equal to `ignore` count for nothing; the caller has checked the others
// (`badTarget`). `reduction`: 0 none, 1 sum, 2 mean over the targets that count.

/** The position of the first of `n` targets that is neither `ignore` nor in [0, classes), or −1. */
export function badTarget(target: usize, n: i32, classes: i32, ignore: i32): i32 {
  for (let j = 0; j < n; j++) {
    const t = load<i32>(target + (<usize>j << 2));
    if (t != ignore && <u32>t >= <u32>classes) return j;
  }
  return -1;
}

// @ts-ignore: decorator
@inline function at(j: i32, t: i32, classes: i32, inner: i32): usize {
  const i = j % inner;
  return <usize>(((j - i) * classes + t * inner + i) << 2);
}

function counted(target: usize, n: i32, ignore: i32): i32 {
  let count = 0;
  for (let j = 0; j < n; j++) if (load<i32>(target + (<usize>j << 2)) != ignore) count++;
  return count;
}

/** out = −logp at each counted target: per target (n floats), or summed, or their mean (one float). */
export function nllLossF32(logp: usize, target: usize, out: usize, n: i32, classes: i32, inner: i32, ignore: i32, reduction: i32): void {
  let total = 0.0;
  for (let j = 0; j < n; j++) {
    const t = load<i32>(target + (<usize>j << 2));
    const v = t == ignore ? 0.0 : -<f64>load<f32>(logp + at(j, t, classes, inner));
    if (reduction == 0) store<f32>(out + (<usize>j << 2), <f32>v);
    else total += v;
  }
  if (reduction != 0) store<f32>(out, <f32>(reduction == 1 ? total : total / <f64>counted(target, n, ignore)));
}

/** out (n·classes floats) = zeros but −g (per target, or the one g, divided by the count for the mean) at each counted target. */
export function nllLossBackwardF32(g: usize, target: usize, out: usize, n: i32, classes: i32, inner: i32, ignore: i32, reduction: i32): void {
  memory.fill(out, 0, <usize>(n * classes) << 2);
  const scalar = reduction == 0 ? 0.0 : reduction == 1 ? -<f64>load<f32>(g) : -<f64>load<f32>(g) / <f64>counted(target, n, ignore);
  for (let j = 0; j < n; j++) {
    const t = load<i32>(target + (<usize>j << 2));
    if (t == ignore) continue;
    store<f32>(out + at(j, t, classes, inner), <f32>(reduction == 0 ? -<f64>load<f32>(g + (<usize>j << 2)) : scalar));
  }
}
