/**
 * @module @tg/tensor/testing
 */
export * from "@tg/tensor/testing";
