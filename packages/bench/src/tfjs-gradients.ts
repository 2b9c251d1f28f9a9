// Registers TF.js's gradient functions. tfjs-core's bundles leave them out (the @tensorflow/tfjs
// union package adds them), and its ESM sources import "./x" and "./dir" without extensions,
// which Node's ESM resolver refuses; a resolve hook adds ".js" or "/index.js" inside tfjs-core.
// The registries are global, so the registrations reach the engine the backends use.

import { register } from "node:module";

const HOOK = `
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    const inCore = context.parentURL?.includes("/@tensorflow/tfjs-core/dist/");
    if (!inCore || !specifier.startsWith(".")) throw error;
    // as CommonJS would: the file "x.js" first (a folder may share its name), then "x/index.js"
    try {
      return await next(specifier + ".js", context);
    } catch {
      return next(specifier + "/index.js", context);
    }
  }
}`;

register(`data:text/javascript,${encodeURIComponent(HOOK)}`);
await import("@tensorflow/tfjs-core/dist/register_all_gradients.js");
