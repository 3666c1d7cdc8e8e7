// How the bench prints its figures, shared by run.mjs and the benchmark modules.

export function seconds(ms) {
  return `${(ms / 1000).toFixed(3)} s`;
}

export function fmtList(values) {
  return values.map((v) => (v >= 100 ? v.toFixed(0) : v.toFixed(1))).join(" ");
}

export function fmtRate(value) {
  return Math.round(value).toLocaleString("en-US");
}
