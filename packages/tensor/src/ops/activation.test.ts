// gelu, exact and tanh-approximated, against values PyTorch produced.
import { describe, expect, it } from "vitest";
import { gelu, tensor, TensorError } from "../index.js";

const x = [-3.0, -1.5, -0.5, 0.0, 0.25, 1.0, 2.5];
// torch 1.13, float64: F.gelu(x, approximate=...) and the gradient of its sum
const TORCH = {
  none: {
    y: [-0.0040496941, -0.1002108019, -0.1542687694, 0.0, 0.1496765814, 0.8413447461, 2.4844758367],
    grad: [-0.0119456472, -0.1274691922, 0.1325048753, 0.5, 0.6953733549, 1.0833154706, 1.0376110859],
  },
  tanh: {
    y: [-0.0036373921, -0.100428423, -0.1542859902, 0.0, 0.1496753507, 0.8411919906, 2.4849157339],
    grad: [-0.0115841666, -0.1277107932, 0.1326300965, 0.5, 0.6953540952, 1.0829640838, 1.0379515762],
  },
};

describe("gelu", () => {
  it.each(["none", "tanh"] as const)("matches torch with approximate %s, gradient included", (approximate) => {
    const t = tensor(x, { dtype: "float64", requiresGrad: true });
    const y = t.gelu(approximate);
    y.sum().backward();
    Array.from(y.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(TORCH[approximate].y[i], 9));
    Array.from(t.grad?.dataSync() ?? []).forEach((v, i) => expect(v).toBeCloseTo(TORCH[approximate].grad[i], 9));
  });

  it("keeps float32 and refuses an unknown approximation", () => {
    const y = gelu(tensor(x), "tanh");
    expect(y.dtype).toBe("float32");
    Array.from(y.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(TORCH.tanh.y[i], 6));
    expect(gelu(tensor([1, -2], { dtype: "int32" })).dtype).toBe("float32");
    expect(() => gelu(tensor(x), "erf" as "none")).toThrow(TensorError);
  });
});
