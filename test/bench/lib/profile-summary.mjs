// Reads a V8 .cpuprofile (from `node --cpu-prof`) and lists where the time went: self time per
// function, and total (inclusive) time per function, each with its source location.
//
//   node test/bench/lib/profile-summary.mjs <file.cpuprofile> [top]

import { readFileSync } from "node:fs";
import path from "node:path";

export function summarizeProfile(file, top = 15) {
  const profile = JSON.parse(readFileSync(file, "utf8"));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);

  // Sample counts per node, weighted by the time to the next sample.
  const selfUs = new Map();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const delta = timeDeltas[i + 1] ?? 0;
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + delta);
  }
  const label = (node) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${path.basename(url.replace(/^file:\/\//, ""))}:${lineNumber + 1}` : "";
    return `${functionName || "(anonymous)"} ${where}`.trim();
  };
  const self = new Map();
  const total = new Map();
  let all = 0;
  for (const [id, us] of selfUs) {
    all += us;
    const node = nodes.get(id);
    self.set(label(node), (self.get(label(node)) ?? 0) + us);
    // Inclusive time: count each function once per stack, however often it recurses.
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parents.get(cur)) {
      const name = label(nodes.get(cur));
      if (seen.has(name)) continue;
      seen.add(name);
      total.set(name, (total.get(name) ?? 0) + us);
    }
  }
  const rank = (map) =>
    [...map]
      .sort((x, y) => y[1] - x[1])
      .slice(0, top)
      .map(([name, us]) => ({
        name,
        ms: Math.round(us / 100) / 10,
        share: Math.round((us / all) * 1000) / 10,
      }));
  return { totalMs: Math.round(all / 1000), self: rank(self), inclusive: rank(total) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const summary = summarizeProfile(process.argv[2], Number(process.argv[3] ?? 15));
  console.log(`sampled ${summary.totalMs} ms`);
  console.log("\nself time:");
  for (const row of summary.self)
    console.log(`  ${String(row.ms).padStart(9)} ms ${String(row.share).padStart(5)} %  ${row.name}`);
  console.log("\ninclusive time:");
  for (const row of summary.inclusive)
    console.log(`  ${String(row.ms).padStart(9)} ms ${String(row.share).padStart(5)} %  ${row.name}`);
}
