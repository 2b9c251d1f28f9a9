import { describe, expect, it } from "vitest";
import { CharTokenizer } from "./index.js";

describe("CharTokenizer", () => {
  it("builds a sorted vocabulary of the characters present and round-trips text", () => {
    const tok = CharTokenizer.fromText("hello, world\n");
    expect(tok.vocabulary).toEqual(["\n", " ", ",", "d", "e", "h", "l", "o", "r", "w"]);
    expect(tok.vocabSize).toBe(10);
    expect(Array.from(tok.encode("hole"))).toEqual([5, 7, 6, 4]);
    expect(tok.decode(tok.encode("low, old\n"))).toBe("low, old\n");
  });

  it("sorts by code point and keeps a character outside the BMP as one token", () => {
    const tok = CharTokenizer.fromText("é😀aZ");
    expect(tok.vocabulary).toEqual(["Z", "a", "é", "😀"]);
    expect(Array.from(tok.encode("😀a"))).toEqual([3, 1]);
    expect(tok.decode([3, 2])).toBe("😀é");
  });

  it("saves and loads its vocabulary through JSON", () => {
    const tok = CharTokenizer.fromText("the cat");
    const again = CharTokenizer.fromJSON(JSON.parse(JSON.stringify(tok)));
    expect(again.vocabulary).toEqual(tok.vocabulary);
    expect(Array.from(again.encode("cat"))).toEqual(Array.from(tok.encode("cat")));
  });

  it("refuses unknown characters, out-of-range tokens and malformed vocabularies", () => {
    const tok = CharTokenizer.fromText("ab");
    expect(() => tok.encode("abc")).toThrow('CharTokenizer.encode: character "c" at 2 is not in the vocabulary');
    expect(() => tok.decode([0, 2])).toThrow("CharTokenizer.decode: token 2 at 1 is out of range for 2 tokens");
    expect(() => new CharTokenizer(["a", "a"])).toThrow('CharTokenizer: "a" appears twice in the vocabulary');
    expect(() => new CharTokenizer(["ab"])).toThrow('CharTokenizer: vocabulary entry 0 must be one character, got "ab"');
    expect(() => CharTokenizer.fromJSON({ vocabulary: ["a"] })).toThrow("CharTokenizer.fromJSON");
    expect(() => CharTokenizer.fromText("")).toThrow("CharTokenizer.fromText: expected a non-empty string");
  });
});
