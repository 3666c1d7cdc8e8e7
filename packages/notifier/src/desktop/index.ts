// `@simplebackup/notifier/desktop`: a subpath of its own because it pulls in node-notifier.
export type { DesktopOptions } from "./desktop.js";
export { desktop } from "./desktop.js";
export { desktopOptionsSchema } from "./schema.js";
