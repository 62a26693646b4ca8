import { describe, expect, it } from "vitest";
import { compileExpression, isExprError } from "./index.js";
import { parseIpAddress } from "./network-functions.js";

const env = { now: () => 0 };

/** Evaluates; an error value comes back as { error: code }. */
function run(source: string, vars: Record<string, unknown> = {}): unknown {
  const r = compileExpression(source, { selfNames: ["user"] });
  if (!r.ok) throw new Error(`compile error in ${source}: ${r.error.message} at ${r.error.offset}`);
  const v = r.program(vars, env);
  return isExprError(v) ? { error: v.code } : v;
}

/** Both ways: a constant range (parsed at compile time) and a range read from the context. */
function inCidr(address: string, range: string): boolean {
  const constant = run(`inCidr(a, ${JSON.stringify(range)})`, { a: address });
  const dynamic = run("inCidr(a, r)", { a: address, r: range });
  expect(constant).toBe(dynamic);
  return dynamic === true;
}

describe("inCidr with IPv4", () => {
  it.each([
    ["10.1.2.3", "10.0.0.0/8", true],
    ["11.1.2.3", "10.0.0.0/8", false],
    ["10.0.31.255", "10.0.16.0/20", true],
    ["10.0.32.0", "10.0.16.0/20", false],
    ["192.168.1.5", "192.168.1.5", true],
    ["192.168.1.5", "192.168.1.5/32", true],
    ["192.168.1.6", "192.168.1.5/32", false],
    ["192.168.1.6", "192.168.1.5", false],
    ["1.2.3.4", "0.0.0.0/0", true],
    ["255.255.255.255", "0.0.0.0/0", true],
    ["10.1.2.3", "10.9.9.9/8", true],
    ["10.0.0.0", "10.0.0.0/08", true],
  ])("%s in %s: %s", (address, range, expected) => expect(inCidr(address, range)).toBe(expected));

  it("compares the address's own prefix with the range's", () => {
    expect(inCidr("10.0.0.0/16", "10.0.0.0/8")).toBe(true);
    expect(inCidr("10.1.0.0/8", "10.0.0.0/16")).toBe(false);
    expect(inCidr("10.0.0.5/24", "10.0.0.0/24")).toBe(true);
    expect(inCidr("10.0.0.5/23", "10.0.0.0/24")).toBe(false);
  });

  it("treats equal addresses as matching, whatever their prefixes", () => {
    expect(inCidr("10.0.0.0/8", "10.0.0.0/16")).toBe(true);
    expect(inCidr("10.0.0.0/0", "10.0.0.0")).toBe(true);
  });
});

describe("inCidr with IPv6", () => {
  it.each([
    ["2001:db8::1", "2001:db8::/32", true],
    ["2001:db9::1", "2001:db8::/32", false],
    ["2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1", true],
    ["2001:db8:0:0:0:0:0:1", "2001:DB8::1/128", true],
    ["2001:db8::2", "2001:db8::1/128", false],
    ["::1", "::1", true],
    ["::1", "::/0", true],
    ["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::/0", true],
    ["::", "::/128", true],
    ["::2", "::/127", false],
    ["::1", "::/127", true],
    ["1::", "1:0:0:0:0:0:0:0/16", true],
    ["1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0", true],
    ["::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8", true],
    ["fe80::1234:5678", "fe80::/10", true],
    ["febf::1", "fe80::/10", true],
    ["fec0::1", "fe80::/10", false],
    ["2001:db8:1:8000::1", "2001:db8:1::/49", false],
    ["2001:db8:1:7fff::1", "2001:db8:1::/49", true],
  ])("%s in %s: %s", (address, range, expected) => expect(inCidr(address, range)).toBe(expected));

  it("reads a dotted IPv4 address in the last 32 bits", () => {
    expect(inCidr("::ffff:10.0.0.1", "::ffff:a00:0/104")).toBe(true);
    expect(inCidr("::ffff:a00:1", "::ffff:10.0.0.0/104")).toBe(true);
    expect(inCidr("::ffff:11.0.0.1", "::ffff:10.0.0.0/104")).toBe(false);
    expect(inCidr("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304")).toBe(true);
  });

  it("ignores zones, before or after the prefix", () => {
    expect(inCidr("fe80::1%eth0", "fe80::/64")).toBe(true);
    expect(inCidr("fe80::1%eth0", "fe80::1")).toBe(true);
    expect(inCidr("fe80::1", "fe80::/64%eth1")).toBe(true);
    expect(inCidr("fe80::1/64%eth0", "fe80::/64")).toBe(true);
    expect(inCidr("fe80::1%eth0/64", "fe80::/64")).toBe(true);
    expect(inCidr("fe80::1%", "fe80::1")).toBe(true);
  });

  it("compares the address's own prefix with the range's", () => {
    expect(inCidr("2001:db8::/48", "2001:db8::/32")).toBe(true);
    expect(inCidr("2001:db8:1::/16", "2001:db8::/32")).toBe(false);
    expect(inCidr("2001:db8::/16", "2001:db8::/32")).toBe(true);
  });

  it("never mixes families", () => {
    expect(inCidr("10.0.0.1", "::/0")).toBe(false);
    expect(inCidr("::ffff:10.0.0.1", "10.0.0.0/8")).toBe(false);
    expect(inCidr("::", "0.0.0.0/0")).toBe(false);
  });
});

describe("inCidr with text that is not an address", () => {
  it.each([
    "",
    "10.0.0",
    "10.0.0.0.1",
    "010.0.0.1",
    "10.0.0.256",
    "10.0.0.1/33",
    "10.0.0.1/",
    "10.0.0.1/032",
    "10.0.0.1/8/8",
    " 10.0.0.1",
    "10.0.0.1%eth0",
    "a.b.c.d",
    "1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7::8",
    "1::2::3",
    ":::",
    "1:::2",
    ":1::",
    "::1:",
    "1:2:3:4:5:6:7:8:",
    "12345::",
    "g::",
    "::1/129",
    "::1/0128",
    "::/0/1",
    "::1%a/b",
    "::1%a\nb",
    "::ffff:010.0.0.1",
    "::ffff:10.0.0",
    "::1.2.3.4:1",
    "1.2.3.4::",
    "::ffff:1.2.3.4.5",
    "localhost",
  ])("%j is in no range, and no range holds anything", (text) => {
    expect(parseIpAddress(text)).toBeUndefined();
    expect(inCidr(text, "0.0.0.0/0")).toBe(false);
    expect(inCidr(text, "::/0")).toBe(false);
    expect(inCidr("10.0.0.1", text)).toBe(false);
    expect(inCidr("::1", text)).toBe(false);
  });
});

describe("inCidr with values that are not strings", () => {
  it.each([
    ["inCidr(1, '10.0.0.0/8')", { error: "no_matching_overload" }],
    ["inCidr('10.0.0.1', 8)", { error: "no_matching_overload" }],
    ["inCidr(a, r)", { error: "no_matching_overload" }],
    ["inCidr(null, 'bad')", { error: "no_matching_overload" }],
    ["inCidr(missing, '::/0')", { error: "no_such_attribute" }],
    ["inCidr('::1', missing)", { error: "no_such_attribute" }],
  ])("%s", (source, expected) => expect(run(source, { a: ["10.0.0.1"], r: "10.0.0.0/8" })).toEqual(expected));

  it("is folded when both arguments are constant", () => {
    expect(run("inCidr('10.0.0.1', '10.0.0.0/8') && inCidr('::1', '::/0')")).toBe(true);
  });

  it("is a function, not a method", () => {
    const r = compileExpression("'::1'.inCidr('::/0')");
    expect(r.ok ? undefined : r.error.message).toBe("'inCidr' is a function, not a method: write inCidr(x)");
  });
});
