import { describe, expect, it } from "vitest";
import { IssueList } from "../../analysis/issues.js";
import type { Metric } from "../../analysis/types.js";
import {
  issuesText,
  measuredSettings,
  type SettingsReader,
  settingsObject,
  storedSettings,
} from "./provider-settings.js";

/** A reader like the providers': `{ url: string }`, every problem reported with its path. */
const readUrl: SettingsReader<{ url: string }> = (input, path, issues) => {
  const value = settingsObject(input, ["url"], path, issues, "an object with a url");
  if (value === undefined) return undefined;
  if (typeof value.url !== "string") {
    issues.error(`${path}.url`, "required: a URL");
    return undefined;
  }
  return { url: value.url };
};

const metric = (provider: Metric["provider"]): Metric => ({ name: "errors", provider });

describe("settingsObject", () => {
  it("reports a value that is not an object, saying what was expected", () => {
    const issues = new IssueList();
    expect(settingsObject(["x"], ["url"], "provider.web", issues, "an object with a url")).toBeUndefined();
    expect(issues.items).toEqual([
      { path: "provider.web", message: "expected an object with a url, got a list", severity: "error" },
    ]);
  });

  it("returns the object, reporting unknown keys with the nearest known one", () => {
    const issues = new IssueList();
    const value = { url: "http://x", methd: "GET" };
    expect(settingsObject(value, ["url", "method"], "p", issues, "an object")).toBe(value);
    expect(issues.items).toEqual([
      {
        path: "p.methd",
        message: "unknown field 'methd' (did you mean 'method'?)",
        suggestion: "method",
        severity: "error",
      },
    ]);
  });
});

describe("storedSettings", () => {
  it("gives the typed settings and the JSON stored as written", () => {
    const issues = new IssueList();
    expect(storedSettings(readUrl, { url: "http://x" }, "p", issues, false)).toEqual({
      settings: { url: "http://x" },
      json: { url: "http://x" },
    });
    expect(issues.ok).toBe(true);
  });

  it("is undefined when the reader refuses the settings, or they are not JSON", () => {
    const issues = new IssueList();
    expect(storedSettings(readUrl, { url: 1 }, "p", issues, false)).toBeUndefined();
    expect(issuesText(issues)).toBe("p.url: required: a URL");
    const notJson = new IssueList();
    const anyUrl: SettingsReader<true> = () => true;
    expect(storedSettings(anyUrl, { url: new Date(0) }, "p", notJson, false)).toBeUndefined();
    expect(notJson.items.map((i) => i.path)).toEqual(["p.url"]);
  });
});

describe("measuredSettings", () => {
  it("reads the metric's settings for its provider, resolved", () => {
    const resolved: boolean[] = [];
    const spy: SettingsReader<string> = (_v, path, _i, r) => {
      resolved.push(r);
      return path;
    };
    expect(measuredSettings(metric({ web: { url: "http://x" } }), "web", spy)).toEqual({
      settings: "provider.web",
    });
    expect(resolved).toEqual([true]);
  });

  it("is an error naming the provider when the metric has no settings for it, or they are invalid", () => {
    expect(measuredSettings(metric({ command: {} }), "web", readUrl)).toEqual({
      error: "web: metric 'errors' has no web settings",
    });
    expect(measuredSettings(metric({ web: { url: 3, extra: true } }), "web", readUrl)).toEqual({
      error:
        "web: invalid settings: provider.web.extra: unknown field 'extra'; provider.web.url: required: a URL",
    });
  });
});

describe("issuesText", () => {
  it("joins issues with their paths; a document-wide issue has none", () => {
    const issues = new IssueList();
    issues.error("", "use either body or jsonBody, not both");
    issues.error("provider.web.url", "required");
    expect(issuesText(issues)).toBe("use either body or jsonBody, not both; provider.web.url: required");
  });
});
