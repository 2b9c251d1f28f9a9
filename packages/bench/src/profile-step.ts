// Profiles training steps of the seed MLP or the CNN on random data: run under --cpu-prof.
import { crossEntropyLoss } from "@tg/loss";
import { Conv2D, Dropout, Flatten, Linear, MaxPool2D, ReLU, Sequential } from "@tg/nn";
import { AdamW } from "@tg/optim";
import { manualSeed, tensor } from "@tg/tensor";

const which = process.argv[2] ?? "mlp";
const steps = Number(process.argv[3] ?? 300);
manualSeed(0);
const model = which === "mlp"
  ? new Sequential(new Linear(784, 256), new ReLU(), new Dropout(0.3), new Linear(256, 128), new ReLU(), new Dropout(0.3), new Linear(128, 10))
  : new Sequential(new Conv2D(1, 32, 3, { padding: 1 }), new ReLU(), new MaxPool2D(2), new Conv2D(32, 64, 3, { padding: 1 }), new ReLU(), new MaxPool2D(2), new Flatten(), new Linear(3136, 128), new ReLU(), new Linear(128, 10));
const opt = new AdamW(model.parameters(), { lr: 1e-3 });
const images = new Float32Array(64 * 784).map(() => Math.random());
const labels = new Int32Array(64).map(() => Math.floor(Math.random() * 10));
const shape = which === "mlp" ? [64, 784] : [64, 1, 28, 28];
const step = () => {
  const x = tensor(images, { shape });
  const y = tensor(labels);
  opt.zeroGrad();
  crossEntropyLoss(model.forward(x), y).backward();
  opt.step();
};
for (let i = 0; i < 20; i++) step();
const t0 = performance.now();
for (let i = 0; i < steps; i++) step();
console.log(`${which}: ${((performance.now() - t0) / steps).toFixed(3)} ms/step`);
