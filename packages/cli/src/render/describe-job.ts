import { type BackupJob, maskRepository, plural, type RetentionPolicy } from "@simplebackup/core";

/** One line per job: what is backed up, where, when, and what is kept. Never the password. */
export function describeJob(job: BackupJob): string {
  const parts = [
    ...(job.sources.length > 0 || job.databases.length === 0 ? [plural(job.sources.length, "source")] : []),
    ...(job.databases.length > 0 ? [plural(job.databases.length, "database")] : []),
  ];
  const sources = parts.join(" and ");
  return `${job.name}: ${sources} -> ${maskRepository(job.repository)}, schedule "${job.schedule}", keep ${describeRetention(job.retention)}`;
}

function describeRetention(retention: RetentionPolicy | undefined): string {
  if (!retention) return "everything";
  const parts: string[] = [];
  const rules: [keyof RetentionPolicy, string][] = [
    ["last", "last"],
    ["hours", "hourly"],
    ["days", "daily"],
    ["weeks", "weekly"],
    ["months", "monthly"],
    ["years", "yearly"],
  ];
  for (const [key, label] of rules) {
    const value = retention[key];
    if (typeof value === "number" && value > 0) parts.push(`${value} ${label}`);
  }
  if (retention.within) parts.push(`all within ${retention.within}`);
  return parts.length > 0 ? parts.join(", ") : "everything";
}
