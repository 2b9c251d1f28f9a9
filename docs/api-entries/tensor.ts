/**
 * @module @tg/tensor
 */
export * from "@tg/tensor";
