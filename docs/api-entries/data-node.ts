/**
 * @module @tg/data/node
 */
export * from "@tg/data/node";
