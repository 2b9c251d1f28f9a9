// The error thrown for misuse of a tensor: "<op>: <what is wrong>", naming shapes, dims or dtypes.

/** Thrown when a tensor operation is called with bad shapes, dims, dtypes or values. */
export class TensorError extends Error {
  /** Always "TensorError", so a catch can tell it from other errors. */
  override name = "TensorError";
}
