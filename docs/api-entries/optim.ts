/**
 * @module @tg/optim
 */
export * from "@tg/optim";
