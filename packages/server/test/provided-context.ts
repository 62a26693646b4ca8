/** What global-setup.ts provides to test workers (vitest's inject), typed for both sides. */
declare module "vitest" {
  export interface ProvidedContext {
    /** Base URL of the endpoint that hands out fresh PostgreSQL databases: POST /databases → { url }. */
    rampPostgresControl: string;
  }
}

export {};
