// @tg/data: datasets, the DataLoader and the IDX format. Browser-safe; the Fashion-MNIST loader
// (which reads files and downloads) is in the node-only entry "@tg/data/node".

export { TensorDataset, type BatchedDataset, type Dataset } from "./dataset.js";
export { collate, DataLoader, type Batch, type DataLoaderOptions } from "./dataloader.js";
export { encodeIdx, parseIdx, type Idx, type IdxData } from "./idx.js";
export { CharTokenizer, type CharTokenizerJSON } from "./tokenizer.js";
export { splitTokens, TokenWindowDataset, type TokenSplit } from "./text-windows.js";
