import { describe, expect, it } from "vitest";
import { contentTypeOf, definedInFile } from "./apply.js";

describe("apply helpers", () => {
  it("labels JSON as JSON and everything else as YAML", () => {
    expect(contentTypeOf('{"flags": {}}')).toBe("application/json");
    expect(contentTypeOf("flags: {}\n")).toBe("application/yaml");
    expect(contentTypeOf("# comment\n{}")).toBe("application/yaml");
  });

  it("tells whether a server problem's flag or segment is in the file", () => {
    const doc = { flags: { a: {} }, segments: { s: {} } };
    expect(definedInFile(doc, "flags.a.environments.production.on")).toBe(true);
    expect(definedInFile(doc, "segments.s.if")).toBe(true);
    expect(definedInFile(doc, "flags.b.prerequisites[0].variant")).toBe(false);
    expect(definedInFile(doc, 'flags."x.y".type')).toBe(false);
    expect(definedInFile(doc, "")).toBe(true);
  });
});
