/** The demo's parts, for scripts/start.mjs (`npm start`), which tells the same story after its flags. */
export { demoAdminToken } from "./demo.js";
export { generatorLine, LiveDisplay, LogDisplay, type StoryDisplay } from "./display.js";
export { DEMO_DIR, demoDocuments, proxyPortProblem } from "./documents.js";
export { runStory, type StoryOptions, type StoryResult, VERSIONS } from "./story.js";
