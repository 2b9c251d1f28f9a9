import { afterEach, describe, expect, it } from "vitest";
import { getBackend, setBackend, type Backend } from "./backend.js";
import { isWasmAvailable } from "./wasm/index.js";

describe("backend", () => {
  const initial = getBackend();
  afterEach(() => setBackend(initial));

  it("defaults to wasm where it is available, else js", () => {
    expect(initial).toBe(isWasmAvailable() ? "wasm" : "js");
  });

  it("switches between js and wasm", () => {
    setBackend("js");
    expect(getBackend()).toBe("js");
    if (isWasmAvailable()) {
      setBackend("wasm");
      expect(getBackend()).toBe("wasm");
    }
  });

  it("rejects unknown names with a RangeError naming them", () => {
    const name: string = "gpu";
    expect(() => setBackend(name as Backend)).toThrow(RangeError);
    expect(() => setBackend(name as Backend)).toThrow('setBackend: unknown backend "gpu"');
    expect(getBackend()).toBe(initial);
  });
});
