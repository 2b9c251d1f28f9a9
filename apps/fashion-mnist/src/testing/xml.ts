// A strict little XML reader for the tests: it rejects what is not well-formed (unclosed or
// crossed tags, bare "<" or "&", duplicate or unquoted attributes) and returns the element tree.

/** An element with its attributes, child elements and text. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const ENTITY = /&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);/y;

/** Parses a whole document and returns its root element; throws Error naming the offset on bad XML. */
export function parseXml(source: string): XmlElement {
  let pos = 0;
  const fail = (what: string): never => {
    throw new Error(`xml: ${what} at offset ${pos}: ${JSON.stringify(source.slice(pos, pos + 40))}`);
  };
  const expect = (re: RegExp): string => {
    re.lastIndex = pos;
    const m = re.exec(source);
    if (m === null) return fail(`expected ${re.source}`);
    pos += m[0].length;
    return m[0];
  };
  const skipSpace = () => {
    while (pos < source.length && /\s/.test(source[pos])) pos++;
  };
  const skipPast = (marker: string) => {
    const end = source.indexOf(marker, pos);
    if (end === -1) fail(`missing '${marker}'`);
    pos = end + marker.length;
  };
  const skipMisc = () => {
    for (;;) {
      skipSpace();
      if (source.startsWith("<?", pos)) skipPast("?>");
      else if (source.startsWith("<!--", pos)) skipPast("-->");
      else if (source.startsWith("<!DOCTYPE", pos)) skipPast(">");
      else return;
    }
  };
  const checkText = (text: string) => {
    for (let i = text.indexOf("&"); i !== -1; i = text.indexOf("&", i + 1)) {
      ENTITY.lastIndex = i;
      if (!ENTITY.test(text)) fail(`bare '&' in ${JSON.stringify(text.slice(i, i + 12))}`);
    }
  };
  const element = (): XmlElement => {
    expect(/</y);
    const name = expect(NAME);
    const attributes: Record<string, string> = {};
    for (;;) {
      skipSpace();
      if (source.startsWith("/>", pos)) {
        pos += 2;
        return { name, attributes, children: [], text: "" };
      }
      if (source[pos] === ">") break;
      const key = expect(NAME);
      if (Object.hasOwn(attributes, key)) fail(`duplicate attribute ${key}`);
      skipSpace();
      expect(/=/y);
      skipSpace();
      const value = expect(/"[^"<]*"|'[^'<]*'/y).slice(1, -1);
      checkText(value);
      attributes[key] = value;
    }
    pos++;
    const children: XmlElement[] = [];
    let text = "";
    for (;;) {
      const next = source.indexOf("<", pos);
      if (next === -1) fail(`unclosed <${name}>`);
      const chunk = source.slice(pos, next);
      checkText(chunk);
      text += chunk;
      pos = next;
      if (source.startsWith("</", pos)) {
        pos += 2;
        const closing = expect(NAME);
        if (closing !== name) fail(`</${closing}> closes <${name}>`);
        skipSpace();
        expect(/>/y);
        return { name, attributes, children, text };
      }
      if (source.startsWith("<!--", pos)) skipPast("-->");
      else children.push(element());
    }
  };
  skipMisc();
  const root = element();
  skipMisc();
  if (pos !== source.length) fail("content after the root element");
  return root;
}

/** Every element below (and including) `root` that satisfies `test`, in document order. */
export function findAll(root: XmlElement, test: (e: XmlElement) => boolean): XmlElement[] {
  const out: XmlElement[] = [];
  const visit = (e: XmlElement) => {
    if (test(e)) out.push(e);
    e.children.forEach(visit);
  };
  visit(root);
  return out;
}

/** Elements whose class attribute contains `className`. */
export function byClass(root: XmlElement, className: string): XmlElement[] {
  return findAll(root, (e) => (e.attributes.class ?? "").split(/\s+/).includes(className));
}

/** All text below an element, in document order. */
export function allText(root: XmlElement): string[] {
  return findAll(root, (e) => e.text.trim() !== "").map((e) => e.text.trim());
}
