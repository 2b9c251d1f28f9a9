/**
 * @module @tg/loss
 */
export * from "@tg/loss";
