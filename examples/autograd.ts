// A short tour of @tg/tensor: broadcasting, autograd, and a few steps of gradient descent.
import { manualSeed, noGrad, Tensor, tensor } from "@tg/tensor";

manualSeed(0);

// y = 3x + 2 with a little noise; learn w and b by gradient descent on the mean squared error
const x = Tensor.rand([64, 1]);
const y = x.mul(3).add(2).add(Tensor.randn([64, 1]).mul(0.01));
const w = tensor([[0]], { requiresGrad: true });
const b = tensor([0], { requiresGrad: true });

for (let step = 0; step < 300; step++) {
  const loss = x.matmul(w).add(b).sub(y).pow(2).mean();
  w.grad = null;
  b.grad = null;
  loss.backward();
  noGrad(() => {
    w.copy_(w.sub(w.grad!.mul(0.5)));
    b.copy_(b.sub(b.grad!.mul(0.5)));
  });
  if (step % 100 === 0) console.log(`step ${step}: loss ${loss.item().toFixed(5)}`);
}
console.log(`w = ${w.item().toFixed(3)}, b = ${b.item().toFixed(3)}`); // close to 3 and 2
console.log(w.toString());
