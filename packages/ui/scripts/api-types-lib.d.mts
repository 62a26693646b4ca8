// Types of api-types-lib.mjs for the staleness test (packages/ui/test/api-types.test.ts).

/** What the generator needs of @ramp/server's startServer. */
export type StartServer = (options: {
  port: number;
  data: string;
  adminToken: string;
  log: (message: string) => void;
}) => Promise<{
  readonly app: {
    inject(request: {
      method: "GET";
      url: string;
      headers: Record<string, string>;
    }): Promise<{ readonly statusCode: number; readonly body: string }>;
  };
  close(): Promise<void>;
}>;

/** The generated file, relative to the repository root. */
export declare const OUTPUT: string;

/** The TypeScript types of the server's API, as the text of packages/ui/src/api/openapi.ts. */
export declare function generateApiTypes(startServer: StartServer): Promise<string>;
