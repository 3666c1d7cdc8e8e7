// `import { ... } from "simplebackup"`: the library API, re-exported from core for Node apps.
export * from "@simplebackup/core";
