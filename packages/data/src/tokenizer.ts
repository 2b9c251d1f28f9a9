// CharTokenizer: one token per character (Unicode code point) of a text, the vocabulary sorted by
// code point. Token windows for language models are in text-windows.ts.

/** The saved form of a `CharTokenizer` (what `toJSON` returns and `fromJSON` reads). */
export interface CharTokenizerJSON {
  /** The kind of tokenizer, always "char". */
  type: "char";
  /** The vocabulary: token i is `vocabulary[i]`, one character each. */
  vocabulary: string[];
}

/**
 * A character-level tokenizer: the vocabulary is the set of characters of a text, sorted by code
 * point (as Python's `sorted(set(text))`), and token i is the i-th character. Characters are
 * Unicode code points, so a character outside the Basic Multilingual Plane is one token, not two.
 * @example
 * const tok = CharTokenizer.fromText("hello");
 * tok.vocabulary;            // ["e", "h", "l", "o"]
 * tok.encode("hole");        // Int32Array [1, 3, 2, 0]
 * tok.decode([1, 0, 2, 2, 3]); // "hello"
 */
export class CharTokenizer {
  /** The characters, in token order. */
  readonly vocabulary: readonly string[];
  private readonly ids: Map<string, number>;

  /** A tokenizer over exactly these characters, in this order (each a single code point, no repeats). */
  constructor(vocabulary: readonly string[]) {
    if (!Array.isArray(vocabulary) || vocabulary.length === 0) {
      throw new RangeError("CharTokenizer: the vocabulary must be a non-empty array of characters");
    }
    const ids = new Map<string, number>();
    vocabulary.forEach((ch, i) => {
      if (typeof ch !== "string" || [...ch].length !== 1) {
        throw new RangeError(`CharTokenizer: vocabulary entry ${i} must be one character, got ${JSON.stringify(ch)}`);
      }
      if (ids.has(ch)) throw new RangeError(`CharTokenizer: ${JSON.stringify(ch)} appears twice in the vocabulary`);
      ids.set(ch, i);
    });
    this.vocabulary = [...vocabulary];
    this.ids = ids;
  }

  /** The tokenizer whose vocabulary is every character of `text`, sorted by code point. */
  static fromText(text: string): CharTokenizer {
    if (typeof text !== "string" || text.length === 0) {
      throw new RangeError("CharTokenizer.fromText: expected a non-empty string");
    }
    const chars = [...new Set(text)].sort((a, b) => (a.codePointAt(0) ?? 0) - (b.codePointAt(0) ?? 0));
    return new CharTokenizer(chars);
  }

  /** Reads a tokenizer saved with `toJSON` (or `JSON.parse` of its string), checking its form. */
  static fromJSON(json: unknown): CharTokenizer {
    if (typeof json !== "object" || json === null || !("type" in json) || json.type !== "char" || !("vocabulary" in json)) {
      throw new Error('CharTokenizer.fromJSON: expected { type: "char", vocabulary: [...] }');
    }
    const { vocabulary } = json;
    if (!Array.isArray(vocabulary) || !vocabulary.every((v): v is string => typeof v === "string")) {
      throw new Error("CharTokenizer.fromJSON: vocabulary must be an array of strings");
    }
    return new CharTokenizer(vocabulary);
  }

  /** The number of tokens. */
  get vocabSize(): number {
    return this.vocabulary.length;
  }

  /** The token of each character of `text`; a character outside the vocabulary throws a RangeError. */
  encode(text: string): Int32Array {
    const chars = [...text];
    const out = new Int32Array(chars.length);
    chars.forEach((ch, i) => {
      const id = this.ids.get(ch);
      if (id === undefined) {
        throw new RangeError(`CharTokenizer.encode: character ${JSON.stringify(ch)} at ${i} is not in the vocabulary`);
      }
      out[i] = id;
    });
    return out;
  }

  /** The text of `tokens`; a token outside [0, vocabSize) throws a RangeError. */
  decode(tokens: ArrayLike<number>): string {
    let out = "";
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (!Number.isInteger(t) || t < 0 || t >= this.vocabulary.length) {
        throw new RangeError(`CharTokenizer.decode: token ${t} at ${i} is out of range for ${this.vocabulary.length} tokens`);
      }
      out += this.vocabulary[t];
    }
    return out;
  }

  /** The vocabulary as plain data, for `JSON.stringify` and `fromJSON`. */
  toJSON(): CharTokenizerJSON {
    return { type: "char", vocabulary: [...this.vocabulary] };
  }
}
