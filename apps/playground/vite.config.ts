// The playground's Vite config: the @tg/* packages are bundled from their TypeScript source (no
// build of the packages needed), the training worker is an ES module, and both the dev server
// and `vite preview` send the two headers that let the kernels use worker threads, and offer
// this machine's Fashion-MNIST files under datasets/fashion-mnist/.

import { defineConfig, type Plugin } from "vite";
import { datasetMiddleware } from "./src/node/dataset-middleware.js";
import { ISOLATION_HEADERS } from "./src/node/static-server.js";

function fashionMnistData(): Plugin {
  return {
    name: "fashion-mnist-data",
    configureServer: (server) => void server.middlewares.use(datasetMiddleware()),
    configurePreviewServer: (server) => void server.middlewares.use(datasetMiddleware()),
  };
}

export default defineConfig({
  base: "./",
  resolve: { conditions: ["@tg/source", "module", "browser", "development|production"] },
  worker: { format: "es" },
  server: { host: "localhost", headers: ISOLATION_HEADERS },
  preview: { host: "localhost", headers: ISOLATION_HEADERS },
  build: { target: "es2022" },
  plugins: [fashionMnistData()],
});
