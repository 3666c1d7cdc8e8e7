import { writeFile } from "node:fs/promises";
import { renderConfigJsonSchema } from "@simplebackup/core";
import { defineCommand } from "../args/define-command.js";

export default defineCommand({
  meta: {
    name: "schema",
    description: 'Print the JSON Schema of the config file, for editors ("$schema") and other tools',
  },
  args: {
    output: {
      type: "string",
      alias: "o",
      description: "Write it to FILE instead of stdout",
      valueHint: "FILE",
    },
  },
  async run({ args }) {
    const text = renderConfigJsonSchema();
    if (args.output === undefined) {
      process.stdout.write(text);
      return;
    }
    await writeFile(args.output, text);
    console.error(`wrote ${args.output}`);
  },
});
