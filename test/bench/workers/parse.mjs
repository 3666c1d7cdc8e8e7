// P6 worker: parses restic `--json` lines captured from a real backup, alternating rounds of the
// adapter's parseResticLine with rounds of bare JSON.parse (the floor any parser pays), and prints the
// lines per second of each round as JSON.
//
//   node test/bench/workers/parse.mjs <module exporting parseResticLine> <corpus.jsonl> <rounds> <lines per round>

import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [moduleFile, corpusFile, roundsText, linesText] = process.argv.slice(2);
const { parseResticLine } = await import(pathToFileURL(moduleFile).href);
const corpus = readFileSync(corpusFile, "utf8").split("\n").filter(Boolean);
const rounds = Number(roundsText);
const perRound = Number(linesText);
if (corpus.length === 0) throw new Error("empty corpus");

// Every line must parse to something other than "unknown", or the figure would time the fallback.
const kinds = {};
for (const line of corpus) {
  const type = parseResticLine(line)?.message_type ?? "blank";
  kinds[type] = (kinds[type] ?? 0) + 1;
}

let sink = 0;
const measure = (parse) => {
  const started = process.hrtime.bigint();
  for (let i = 0; i < perRound; i++) {
    const message = parse(corpus[i % corpus.length]);
    if (message) sink++;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return perRound / seconds;
};

const results = { parseResticLine: [], jsonParse: [], kinds };
// One uncounted round each lets the JIT settle, as it would over a long backup.
measure(parseResticLine);
measure(JSON.parse);
for (let round = 0; round < rounds; round++) {
  results.parseResticLine.push(measure(parseResticLine));
  results.jsonParse.push(measure(JSON.parse));
}
results.sink = sink;
process.stdout.write(JSON.stringify(results));
