/** The one check that an environment exists, with the answer every route gives when it does not. */
import { ApiError } from "../http/errors.js";
import type { Store } from "../store/store.js";

/** The project's environment keys; 404 `environment_not_found` naming them when `env` is not one. */
export async function requireEnvironment(store: Store, projectId: number, env: string): Promise<string[]> {
  const envs = (await store.listEnvironments(projectId)).map((e) => e.key);
  if (!envs.includes(env))
    throw new ApiError(
      404,
      "environment_not_found",
      `no environment '${env}'; the project has ${envs.join(", ")}`,
    );
  return envs;
}
