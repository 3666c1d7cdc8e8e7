import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { formatMessage, type NotifiableEvent } from "../src/index.js";
import { allEvents, sampleEvents } from "./helpers/events.js";

const events = sampleEvents();
/** Times in messages are the machine's local time with its offset; TZ=UTC makes them fixed. */
const utc = (event: NotifiableEvent) => formatMessage(event);

describe("formatMessage", () => {
  beforeEach(() => {
    vi.stubEnv("TZ", "UTC");
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("says what a success did: files, data added, total size, duration", () => {
    expect(utc(events.success)).toEqual({
      title: "Photos: backup succeeded",
      body: [
        "1,234 files processed (12 new, 3 changed).",
        "45.6 MiB added, 12.3 GiB in total.",
        "Took 1m 23s; snapshot abcdef12.",
      ].join("\n"),
      severity: "success",
    });
  });

  it("says a success made no new snapshot when nothing had changed (skip_if_unchanged)", () => {
    const message = utc({ ...events.success, snapshotId: undefined, unchanged: true });
    expect(message.title).toBe("Photos: backup succeeded, no changes, no new snapshot");
    expect(message.body.split("\n")[0]).toBe(
      "Nothing changed since the last snapshot, which holds exactly what a new one would; restic made none.",
    );
    expect(message.body).toMatch(/\nTook 1m 23s\.$/);
    expect(message.severity).toBe("success");
  });

  it("names a full destination in words, with what to do", () => {
    expect(utc(events.destinationFull)).toEqual({
      title: "Photos: backup failed: Destination full",
      body: [
        "Destination full: /mnt/backup has no space left",
        "Free space at the destination, or keep fewer snapshots (retention).",
        "Failed after 2s (restic exit code 1).",
      ].join("\n"),
      severity: "error",
    });
  });

  it("does not say the reason twice when core's message starts with it", () => {
    const event = { ...events.destinationFull, message: "Destination full: no space left on device" };
    expect(utc(event).body.split("\n")[0]).toBe("Destination full: no space left on device");
  });

  it("tells a retention failure apart from a failed backup", () => {
    const event = {
      ...events.failure,
      phase: "retention" as const,
      code: "RESTIC_FAILED" as const,
      message: "restic exited with code 1",
      snapshotId: "0123456789abcdef",
    };
    const message = utc(event);
    expect(message.title).toBe("Photos: retention failed: restic failed");
    expect(message.body).toContain(
      "The backup made snapshot 01234567, but removing old snapshots failed, so the run counts as failed; a retry or the next backup applies the retention.",
    );
  });

  it("gives the attempt and when the next one is for a retry", () => {
    expect(utc(events.retry)).toEqual({
      title: "Photos: attempt 1 of 4 failed, retrying",
      body: [
        "Repository locked: the repository is locked by PID 4242 on nas",
        "Next attempt at 2026-06-01 10:05:00 +00:00 (in 5m).",
      ].join("\n"),
      severity: "warning",
    });
  });

  it("says when retries are exhausted", () => {
    const message = utc(events["retries-exhausted"]);
    expect(message.title).toBe("Photos: backup failed after 4 attempts");
    expect(message.body).toBe(
      [
        "Destination unreachable: Cannot reach the repository backend: dial tcp: connection refused",
        "Check the network and the backup server.",
        "No more retries until the next scheduled run.",
      ].join("\n"),
    );
  });

  it("lists which paths a partial backup missed", () => {
    const message = utc(events.partial);
    expect(message.title).toBe("Photos: backup incomplete, 2 paths not backed up");
    expect(message.body.split("\n").slice(0, 3)).toEqual([
      "The snapshot was saved, but these were not backed up:",
      "- /home/ann/Photos/locked.db (permission denied)",
      "- /home/ann/Videos (source missing)",
    ]);
    expect(message.severity).toBe("warning");
  });

  it("says that retention was skipped after a partial backup", () => {
    const retentionSkipped = "retention skipped: the backup was partial";
    const message = utc({ ...events.partial, retentionSkipped });
    expect(message.body.split("\n")[3]).toBe(
      "retention skipped: the backup was partial: no snapshot was removed, so older ones still hold what this one lacks.",
    );
    expect(utc(events.partial).body).not.toContain("retention");
  });

  it("lists at most 10 paths, then how many more", () => {
    const unreadable = Array.from({ length: 13 }, (_, i) => ({
      path: `/p/${i}`,
      message: "permission denied",
    }));
    const message = utc({ ...events.partial, unreadable, missingSources: [] });
    expect(message.body).toContain("- /p/9 (permission denied)\n… and 3 more (see the run log).");
    expect(message.body).not.toContain("/p/10");
  });

  it("says how long a stale job has gone without a success", () => {
    expect(utc(events.stale)).toEqual({
      title: "Photos: no successful backup for 1d 8h",
      body: [
        "The last success was at 2026-05-31 02:00:00 +00:00; the alert is set to 1d 2h.",
        "Check that the machine is on, the daemon runs (`simplebackup status`) and recent runs did not fail.",
      ].join("\n"),
      severity: "error",
    });
    expect(utc({ ...events.stale, lastSuccessAt: undefined }).title).toBe("Photos: no successful backup yet");
  });

  it("says when a stale job recovered", () => {
    expect(utc(events.recovered)).toEqual({
      title: "Photos: backups work again",
      body: "A backup succeeded again; it had been overdue since 2026-06-01 04:00:00 +00:00.",
      severity: "success",
    });
  });

  it("lists an invalid config's problems under the program's name", () => {
    const message = utc(events["config-invalid"]);
    expect(message.title).toBe("simplebackup: config invalid, changes not applied");
    expect(message.body).toContain('- backupjobs[0] ("Photos").backup_interval: expected a cron expression');
  });

  it("names the target of a copy, what it copied, the newest snapshot there and the target's retention", () => {
    expect(utc(events["copy-done"])).toEqual({
      title: "Photos: copied 3 snapshots to offsite",
      body: [
        "Copied 3 snapshots to offsite (rest:https://backup:***@nas.example:8000/photos).",
        "The newest snapshot there is b2f1a9c0.",
        "Retention there kept 14 snapshots, removed 1.",
        "Took 1m 2s.",
      ].join("\n"),
      severity: "success",
    });
  });

  it("says a copy found the target up to date, and that it created the target", () => {
    const message = utc({
      ...events["copy-done"],
      copied: 0,
      initialized: true,
      retention: undefined,
      snapshotId: undefined,
    });
    expect(message.title).toBe("Photos: copy to offsite up to date");
    expect(message.body).toBe(
      [
        "The target offsite (rest:https://backup:***@nas.example:8000/photos) already had every snapshot of Photos.",
        "The repository was created by this copy with the chunker parameters of the job's repository, so data deduplicates across both.",
        "Took 1m 2s.",
      ].join("\n"),
    );
  });

  it("names the target of a failed copy, when it is tried again, and that the backups are not affected", () => {
    expect(utc(events["copy-failed"])).toEqual({
      title: "Photos: copy to offsite failed: Destination unreachable",
      body: [
        "Destination unreachable: Cannot reach rest:https://backup:***@nas.example:8000/photos: dial tcp: connection refused",
        'Check the network and the server of "offsite".',
        "The copy is tried again at 2026-06-01 10:15:00 +00:00 (in 15m); every snapshot offsite lacks is copied then.",
        "The backups of Photos go on as before; only its copy to offsite is behind.",
        "Failed after 4s.",
      ].join("\n"),
      severity: "warning",
    });
  });

  it("points a failed copy's password trouble at the target, not the job", () => {
    const message = utc({
      ...events["copy-failed"],
      code: "WRONG_PASSWORD",
      message: "wrong password for rest:https://backup:***@nas.example:8000/photos",
      nextAttemptAt: undefined,
    });
    expect(message.title).toBe("Photos: copy to offsite failed: Wrong repository password");
    expect(message.body.split("\n").slice(1, 3)).toEqual([
      'Check the password of copy_to target "offsite": it is that repository\'s own.',
      "No retry is planned: the daemon is stopping, or the target left the config.",
    ]);
    expect(message.body).not.toContain("job's password setting");
  });

  it("says how long a target's copy has lagged, since when, and what the alert is set to", () => {
    expect(utc(events["copy-lagging"])).toEqual({
      title: "Photos: copy to offsite lags 2d 3h behind",
      body: [
        "The copy to offsite lacks 3 snapshots, the oldest from 2d 3h ago.",
        "It has lagged since 2026-05-30 07:00:00 +00:00; the alert is set to 2d.",
        "Check that offsite is reachable and its password right: `simplebackup status` shows its last copy and error. Once a copy works again, every snapshot it missed arrives.",
      ].join("\n"),
      severity: "error",
    });
  });

  it("tells a run that waits for its conditions apart from a skipped one: no warning, what it waits for", () => {
    expect(utc(events.skippedConditions)).toEqual({
      title: "Photos: backup waits for mains power",
      body: [
        "On battery; the backup runs once the job's conditions hold.",
        "This is no failure; if the job goes without a backup for longer than its alert_after, a stale alert says so.",
      ].join("\n"),
      severity: "info",
    });
    const titles = (["path_exists", "reachable", "command", undefined] as const).map(
      (condition) => utc({ ...events.skippedConditions, condition }).title,
    );
    expect(titles).toEqual([
      "Photos: backup waits for its drive",
      "Photos: backup waits for the repository's server",
      "Photos: backup waits for its when command",
      "Photos: backup waits for its conditions",
    ]);
    expect(utc(events.skipped).severity).toBe("warning");
  });

  it("says what it can of an event type it has no words for", () => {
    const check = {
      type: "check-done",
      job: "Photos",
      runId: "",
      at: events.success.at,
      message: "read 10% of the repository's data; no errors",
      durationMs: 65_000,
    } as unknown as NotifiableEvent;
    expect(utc(check)).toEqual({
      title: "Photos: check done",
      body: "read 10% of the repository's data; no errors\nTook 1m 5s.",
      severity: "info",
    });
  });

  it.each(allEvents().map((event) => [event.type, event] as const))(
    "formats %s with a job-prefixed title, a body and a severity",
    (_type, event) => {
      const message = utc(event);
      expect(message.title).toMatch(/^(Photos|simplebackup): \S/);
      expect(["info", "success", "warning", "error"]).toContain(message.severity);
      expect(message.body).not.toMatch(/undefined|NaN|\[object/);
    },
  );
});
