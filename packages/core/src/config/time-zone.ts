import { describeValue, levenshtein } from "./problems.js";

export const TIME_ZONE_FORMAT = 'an IANA time zone such as "Europe/Berlin"';

// A DateTimeFormat costs ~0.1 ms to build, and a large config names the same few zones many times.
const verdicts = new Map<string, boolean>();

/** Whether Intl knows the zone: canonical names, their aliases (US/Eastern) and any letter case. */
export function isTimeZone(name: string): boolean {
  let valid = verdicts.get(name);
  if (valid === undefined) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: name });
      valid = true;
    } catch {
      valid = false;
    }
    if (verdicts.size >= 1_000) verdicts.clear();
    verdicts.set(name, valid);
  }
  return valid;
}

/**
 * Why `name` is not a time zone, with the zone that was probably meant (`America/NewYork` →
 * `America/New_York`), or undefined when it is one.
 */
export function describeTimeZoneProblem(name: unknown): string | undefined {
  if (typeof name !== "string") return `expected ${TIME_ZONE_FORMAT}, got ${describeValue(name)}`;
  if (isTimeZone(name)) return undefined;
  const suggestion = suggestTimeZone(name);
  const hint =
    suggestion === undefined
      ? "; the names are Area/City, as listed at https://en.wikipedia.org/wiki/List_of_tz_database_time_zones"
      : `; did you mean ${JSON.stringify(suggestion)}?`;
  return `expected ${TIME_ZONE_FORMAT}, got ${describeValue(name)}${hint}`;
}

/**
 * The zone most like `name`: the same letters once case, spaces and underscores are set aside
 * (`america/new york`), else the same city (`Berlin`), else the closest within 3 edits.
 */
export function suggestTimeZone(name: string): string | undefined {
  const wanted = normalize(name);
  if (wanted === "") return undefined;
  const zones = knownZones();
  const same = zones.find((zone) => normalize(zone) === wanted);
  if (same !== undefined) return same;
  const city = zones.find((zone) => normalize(zone.slice(zone.lastIndexOf("/") + 1)) === wanted);
  if (city !== undefined) return city;

  let best: { zone: string; distance: number } | undefined;
  for (const zone of zones) {
    const distance = levenshtein(wanted, normalize(zone));
    if (distance <= 3 && (best === undefined || distance < best.distance)) best = { zone, distance };
  }
  return best?.zone;
}

let zoneList: readonly string[] | undefined;

function knownZones(): readonly string[] {
  // Intl lists the canonical Area/City names only; UTC is the one bare name people write.
  zoneList ??= [...Intl.supportedValuesOf("timeZone"), "UTC"];
  return zoneList;
}

function normalize(text: string): string {
  return text.toLowerCase().replace(/[\s_-]+/g, "");
}
