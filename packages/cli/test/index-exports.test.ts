// The `simplebackup` package's library entry lists core's public API by name (no `export *`), so the
// two lists can drift: a name core adds and the CLI forgets is not published, a name core drops
// breaks the CLI's entry. This pins them equal: values by the two modules' runtime keys, types (which
// have no runtime key) by the names the two index files list. Names the entry takes from another
// package are listed here, by package.

import { readFileSync } from "node:fs";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import * as core from "../../core/src/index.js";
import * as cli from "../src/index.js";

/** What the CLI's entry re-exports from packages other than core (for example a daemon package's
 * `createDaemon`): a name listed there joins the entry by being listed here too. */
const FROM_OTHER_PACKAGES: Record<string, { values: string[]; types: string[] }> = {};

/** The names an index file exports, read with the TypeScript parser, as `<from> <kind> <name>`. */
function listedExports(url: URL, from?: string): string[] {
  const file = ts.createSourceFile(url.pathname, readFileSync(url, "utf8"), ts.ScriptTarget.Latest);
  return file.statements
    .flatMap((statement) => {
      if (!ts.isExportDeclaration(statement)) return [];
      const clause = statement.exportClause;
      if (clause === undefined || !ts.isNamedExports(clause)) {
        throw new Error(`${url.pathname}: \`export *\` where the index should list names`);
      }
      const specifier = statement.moduleSpecifier as ts.StringLiteral | undefined;
      return clause.elements.map((element) =>
        listed(
          from ?? specifier?.text ?? "(this file)",
          statement.isTypeOnly || element.isTypeOnly ? "type" : "value",
          element.name.text,
        ),
      );
    })
    .sort();
}

const listed = (from: string, kind: "type" | "value", name: string) => `${from} ${kind} ${name}`;

describe("the simplebackup package's library entry", () => {
  it("exports at run time exactly core's values, plus those listed from other packages", () => {
    const others = Object.values(FROM_OTHER_PACKAGES).flatMap(({ values }) => values);
    expect(Object.keys(cli).sort()).toEqual([...Object.keys(core), ...others].sort());
  });

  it("lists each of core's types and values from core, and each other name from its package", () => {
    const coreNames = listedExports(
      new URL("../../core/src/index.ts", import.meta.url),
      "@simplebackup/core",
    );
    const others = Object.entries(FROM_OTHER_PACKAGES).flatMap(([from, { values, types }]) => [
      ...values.map((name) => listed(from, "value", name)),
      ...types.map((name) => listed(from, "type", name)),
    ]);
    expect(listedExports(new URL("../src/index.ts", import.meta.url))).toEqual(
      [...coreNames, ...others].sort(),
    );
  });
});
