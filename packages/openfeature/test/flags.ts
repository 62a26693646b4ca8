/** The flag file the provider tests serve: one flag of each type, a segment and a prerequisite. */
import type { FlagFile } from "@ramp/engine";

export const ENVIRONMENT = "production";

export function testFlags(): FlagFile {
  return {
    version: 1,
    environments: [ENVIRONMENT],
    segments: { enterprise: { if: 'plan == "enterprise"' } },
    flags: {
      new_checkout: {
        type: "boolean",
        owner: "payments-team",
        variants: { on: true, off: false },
        offVariant: "off",
        environments: {
          production: {
            on: true,
            targets: { on: ["beta-1"] },
            rules: [{ name: "enterprise", segment: "enterprise", variant: "on" }],
            default: "off",
          },
        },
      },
      banner_text: {
        type: "string",
        variants: { hello: "Hello", welcome: "Welcome" },
        offVariant: "hello",
        environments: { production: { on: true, default: "welcome" } },
      },
      max_items: {
        type: "number",
        variants: { low: 10, high: 50 },
        offVariant: "low",
        environments: { production: { on: true, default: "high" } },
      },
      theme: {
        type: "object",
        variants: { dark: { color: "black", contrast: 2 }, light: { color: "white", contrast: 1 } },
        offVariant: "light",
        environments: { production: { on: true, default: "dark" } },
      },
      split_test: {
        type: "string",
        variants: { a: "A", b: "B" },
        offVariant: "a",
        environments: { production: { on: true, default: { split: { a: 50, b: 50 } } } },
      },
    },
  };
}

/** `banner_text` serving `variant` by default: the change most tests push. */
export function bannerServing(variant: string): Record<string, unknown> {
  return {
    key: "banner_text",
    version: 2,
    archived: false,
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-02T00:00:00.000Z",
    type: "string",
    variants: { hello: "Hello", welcome: "Welcome" },
    offVariant: "hello",
    environments: { production: { on: true, default: variant } },
  };
}
