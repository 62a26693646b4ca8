import { freePort } from "@ramp/server/testing";
import { describe, expect, it } from "vitest";
import { ApiClient, ConnectionError, type Fetch, HttpError, parseErrorBody } from "./client.js";

interface Seen {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** A fetch that records requests and answers from a list. */
function fakeFetch(...answers: Response[]): { fetch: Fetch; seen: Seen[] } {
  const seen: Seen[] = [];
  const fetch: Fetch = async (url, init) => {
    seen.push({
      url,
      method: init.method ?? "GET",
      headers: { ...(init.headers as Record<string, string>) },
      body: typeof init.body === "string" ? init.body : undefined,
    });
    const next = answers.shift();
    if (next === undefined) throw new Error("no more answers");
    return next;
  };
  return { fetch, seen };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

describe("ApiClient", () => {
  it("sends the token, If-Match, a JSON body and the query", async () => {
    const { fetch, seen } = fakeFetch(json(200, { ok: true }));
    const client = new ApiClient({ server: "http://h:1/", token: "ramp_admin_x" }, fetch);
    await expect(
      client.json("PUT", "/api/v1/flags/a", {
        json: { on: true },
        ifMatch: 7,
        query: { env: "p", tag: undefined },
      }),
    ).resolves.toEqual({ ok: true });
    expect(seen).toEqual([
      {
        url: "http://h:1/api/v1/flags/a?env=p",
        method: "PUT",
        headers: {
          accept: "application/json",
          authorization: "Bearer ramp_admin_x",
          "if-match": '"7"',
          "content-type": "application/json",
        },
        body: '{"on":true}',
      },
    ]);
  });

  it("sends a raw body with its content type and returns text with the ETag", async () => {
    const { fetch, seen } = fakeFetch(
      new Response("flags: {}\n", { headers: { "content-type": "application/yaml", etag: '"3"' } }),
    );
    const client = new ApiClient({ server: "http://h:1" }, fetch);
    const res = await client.text("POST", "/x", {
      raw: { body: "a: 1", contentType: "application/yaml" },
      accept: "application/yaml",
    });
    expect(res).toEqual({ status: 200, body: "flags: {}\n", contentType: "application/yaml", etag: '"3"' });
    expect(seen[0]?.headers).toEqual({ accept: "application/yaml", "content-type": "application/yaml" });
    expect(seen[0]?.body).toBe("a: 1");
  });

  it("turns the server's error shape into an HttpError with every detail", async () => {
    const details = [
      { path: "flags.a.type", message: "must be one of boolean, string", expected: "boolean | string" },
      {
        path: "flags.b.environments.production.rulez",
        message: "unknown field",
        suggestion: "did you mean 'rules'?",
      },
    ];
    const { fetch } = fakeFetch(
      json(400, { error: { code: "invalid_flag_file", message: "2 problems", details } }),
    );
    const e = await new ApiClient({ server: "http://h:1", token: "t" }, fetch)
      .json("POST", "/api/v1/apply")
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(HttpError);
    expect(e).toMatchObject({
      status: 400,
      code: "invalid_flag_file",
      message: "2 problems",
      details,
      hint: undefined,
    });
  });

  it("hints at the token on 401 and 403", async () => {
    const unauthorized = () => json(401, { error: { code: "unauthorized", message: "a token is required" } });
    const noToken = new ApiClient({ server: "http://h:1" }, fakeFetch(unauthorized()).fetch);
    await expect(noToken.json("GET", "/api/v1/flags")).rejects.toMatchObject({
      status: 401,
      hint: expect.stringMatching(/no token was given/),
    });
    const badToken = new ApiClient({ server: "http://h:1", token: "nope" }, fakeFetch(unauthorized()).fetch);
    await expect(badToken.json("GET", "/api/v1/flags")).rejects.toMatchObject({
      hint: expect.stringMatching(/does not accept this token/),
    });
    const forbidden = new ApiClient(
      { server: "http://h:1", token: "c" },
      fakeFetch(json(403, { error: { code: "forbidden", message: "a client token cannot use this route" } }))
        .fetch,
    );
    await expect(forbidden.json("GET", "/api/v1/flags")).rejects.toMatchObject({
      code: "forbidden",
      hint: expect.stringMatching(/admin/),
    });
  });

  it("keeps a non-JSON error body readable", async () => {
    const { fetch } = fakeFetch(
      new Response("<h1>Bad Gateway</h1>", { status: 502, statusText: "Bad Gateway" }),
    );
    await expect(new ApiClient({ server: "http://h:1" }, fetch).json("GET", "/x")).rejects.toMatchObject({
      status: 502,
      code: "http_502",
      message: "<h1>Bad Gateway</h1>",
    });
  });

  it("reports a refused connection with the server's URL", async () => {
    const port = await freePort(); // bound and released: nothing listens there
    const e = await new ApiClient({ server: `http://127.0.0.1:${port}` })
      .json("GET", "/api/v1/flags")
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConnectionError);
    expect(e).toMatchObject({ url: `http://127.0.0.1:${port}`, reason: "connection refused" });
  });

  it("reports a timeout as such", async () => {
    const hang: Fetch = (_url, init) =>
      new Promise((_resolve, reject) =>
        init.signal?.addEventListener("abort", () => reject(init.signal?.reason)),
      );
    await expect(new ApiClient({ server: "http://h:1" }, hang, 20).json("GET", "/x")).rejects.toMatchObject({
      reason: "no answer within 0.02 s",
    });
  });
});

describe("parseErrorBody", () => {
  it("accepts only the documented shape", () => {
    expect(parseErrorBody('{"error":{"code":"c","message":"m"}}')).toEqual({
      code: "c",
      message: "m",
      details: [],
    });
    expect(parseErrorBody('{"code":"c"}')).toBeUndefined();
    expect(parseErrorBody("not json")).toBeUndefined();
    expect(
      parseErrorBody('{"error":{"code":"c","message":"m","details":[{"path":"/body","message":"x"},7]}}'),
    ).toEqual({
      code: "c",
      message: "m",
      details: [{ path: "/body", message: "x" }],
    });
  });
});
