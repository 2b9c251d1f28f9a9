/**
 * @module @tg/data
 */
export * from "@tg/data";
