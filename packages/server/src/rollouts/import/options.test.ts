import { describe, expect, it } from "vitest";
import { checkImportOptions } from "./options.js";

describe("checkImportOptions: --listen and --preview-listen by the rollout loader's rules", () => {
  it("accepts distinct host:port addresses, and nothing given", () => {
    expect(checkImportOptions({})).toEqual([]);
    expect(checkImportOptions({ previewListen: "127.0.0.1:8082" })).toEqual([]);
    expect(checkImportOptions({ listen: "0.0.0.0:80", previewListen: "[::1]:81" })).toEqual([]);
    // Port 0 never collides: the OS picks each one.
    expect(checkImportOptions({ listen: "127.0.0.1:0", previewListen: "127.0.0.1:0" })).toEqual([]);
  });

  it("names the option, with the loader's message and its hint", () => {
    expect(checkImportOptions({ previewListen: "preview" })).toEqual([
      '--preview-listen: the string "preview" is not host:port, e.g. "127.0.0.1:8080"',
    ]);
    expect(checkImportOptions({ listen: "8080" })).toEqual([
      '--listen: the string "8080" is not host:port, e.g. "127.0.0.1:8080"',
    ]);
    expect(checkImportOptions({ previewListen: "127.0.0.1:8080" })).toEqual([
      '--preview-listen: is the same address as listen (127.0.0.1:8080, the default of --listen); use another port, e.g. "127.0.0.1:8081"',
    ]);
    // A wildcard host binds every address, so it collides with any host on that port.
    expect(checkImportOptions({ listen: "0.0.0.0:9000", previewListen: "127.0.0.1:9000" })).toEqual([
      '--preview-listen: is the same address as listen (0.0.0.0:9000); use another port, e.g. "0.0.0.0:9001"',
    ]);
  });
});
