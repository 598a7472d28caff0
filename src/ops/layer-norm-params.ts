// The fused layer normalisation's parameters: what every backend's `layerNorm` kernel and its composite read besides
// the tensors. The input is seen as rows of `size` contiguous elements (the normalised dims, flattened); weight and
// bias, when given, hold `size` elements each.

/** What the fused `layerNorm` method takes besides its tensors. */
export interface LayerNormParams {
  /** Elements normalised together: the product of the normalised shape (the input's last dims). */
  readonly size: number;
  /** Added to the biased variance before the square root. */
  readonly eps: number;
}

/** The `layerNorm` primitive's parameters: the kernel's, and which of weight and bias follow x among its inputs. */
export interface LayerNormPrimitiveParams extends LayerNormParams {
  readonly weight: boolean;
  readonly bias: boolean;
}
