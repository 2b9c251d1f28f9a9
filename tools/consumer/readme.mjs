// The TypeScript examples of a README, ready to run as a consumer would.

/**
 * The ```ts blocks of a markdown text that import from a @tg package (fragments without imports
 * are not whole programs).
 * @param {string} markdown
 * @returns {string[]}
 */
export function readmeBlocks(markdown) {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```/gm)]
    .map((match) => match[1])
    .filter((code) => /^import\s[\s\S]*?from\s+"@tg\//m.test(code));
}

/**
 * Rewrites an ES module example so that esbuild can turn it into CommonJS (whose imports become
 * require() calls): the imports stay on top, the rest runs in an async function, since CommonJS
 * has no top-level await.
 * @param {string} code
 * @returns {string}
 */
export function toCommonJs(code) {
  const imports = [];
  const body = code.replace(/^import\s[\s\S]*?from\s+"[^"]+";?[ \t]*$/gm, (statement) => {
    imports.push(statement);
    return "";
  });
  return `${imports.join("\n")}\n(async () => {\n${body}\n})().catch((error) => {\n  console.error(error);\n  process.exit(1);\n});\n`;
}
