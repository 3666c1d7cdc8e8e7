// The page is a client of the server's own contract: these are the server's types, imported for
// their shape only (erased by the build), so a field renamed there fails the UI's typecheck here.
export type { RunHistoryRecord } from "@simplebackup/core";
export type { JobView, NotifierView } from "../../src/views";
