/**
 * @module @tg/nn
 */
export * from "@tg/nn";
