// @tg/data/node: everything of @tg/data plus the node-only Fashion-MNIST loader (files, downloads).

export { TensorDataset, type BatchedDataset, type Dataset } from "./dataset.js";
export { collate, DataLoader, type Batch, type DataLoaderOptions } from "./dataloader.js";
export { encodeIdx, parseIdx, type Idx, type IdxData } from "./idx.js";
export { CharTokenizer, type CharTokenizerJSON } from "./tokenizer.js";
export { splitTokens, TokenWindowDataset, type TokenSplit } from "./text-windows.js";
export {
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_FILES,
  FASHION_MNIST_SYSTEM_DIR,
  FASHION_MNIST_URL,
  loadFashionMNIST,
  type FashionMNIST,
  type FashionMNISTFile,
  type FashionMNISTOptions,
} from "./fashion-mnist.js";
export { type FetchLike } from "./fashion-mnist-download.js";
