/*
 * A copy of a job's snapshots to one of its `copy_to` targets (3-2-1): the target is made sure of
 * (created from the job's repository, with its chunker parameters, only when restic says it does not
 * exist), `restic copy` brings every snapshot of the job it lacks, and the target's retention runs
 * after a complete copy only. Three restic views of the repositories: the target alone (its listing,
 * its retention), the two together (copy, init), and the job's own alone (to tell which of the two a
 * failed copy failed in: restic's words are the same for both).
 */
import { hostname } from "node:os";
import type { BackupJob, CopyTarget } from "../config/types.js";
import { ResticError, SimplebackupError, type SimplebackupErrorCode } from "../errors.js";
import { buildCopyArgs, parseCopyOutput } from "../restic/commands/copy.js";
import type { ForgetGroup } from "../restic/commands/forget.js";
import { buildForgetArgs, hasRetentionRules, parseForgetOutput } from "../restic/commands/forget.js";
import { buildInitArgs } from "../restic/commands/init.js";
import { buildSnapshotsArgs, parseSnapshots, type SnapshotInfo } from "../restic/commands/snapshots.js";
import { buildCopyEnvironment, buildCopyTargetEnvironment, maskRepository } from "../restic/environment.js";
import { refuseInitReason } from "../restic/init-guard.js";
import { createJobRestic, type JobRestic } from "../restic/job-restic.js";
import { type ActionOptions, readOutput, startTimer } from "./action-options.js";
import { partialSnapshotIds } from "./forget.js";
import { unsafeRetentionReason } from "./forget-guard.js";

export interface RunCopyOptions extends ActionOptions {
  /**
   * The state folder: its history names the job's partial runs, whose snapshot the target's retention
   * must not follow (as a forget by hand). Without it only snapshots lacking a source are seen.
   */
  readonly stateDir?: string;
  /** The host whose snapshots the job's sources describe. @default os.hostname(), as restic */
  readonly host?: string;
}

/** A snapshot of the job in the target. */
export interface CopiedSnapshot {
  /** Its id in the target (64 hex). */
  readonly id: string;
  readonly shortId: string;
  /** The id of the snapshot it is a copy of, in the job's repository (64 hex). */
  readonly original: string | undefined;
  /** When the backup was made: a copy keeps its snapshot's time. */
  readonly time: string;
}

/** The target's retention after a copy; `skipped` says why it did not run. */
export type CopyRetention =
  | {
      readonly status: "done";
      readonly kept: number;
      readonly removed: number;
      /** Short ids, in the target, of the snapshots removed. */
      readonly removedIds: readonly string[];
    }
  | { readonly status: "skipped"; readonly reason: "no-policy" }
  | {
      readonly status: "skipped";
      /** The target's newest snapshot of the job is not from a complete backup (see forget-guard.ts). */
      readonly reason: "unsafe";
      readonly message: string;
    };

export interface CopyResult {
  readonly job: string;
  readonly target: string;
  /** The target's repository, credentials masked. */
  readonly repository: string;
  /** The target did not exist: this copy created it with the job's repository's chunker parameters. */
  readonly initialized: boolean;
  /** How many snapshots of the job this copy added to the target (0: it had them all). */
  readonly copied: number;
  /** Those snapshots, oldest first. */
  readonly copiedSnapshots: readonly CopiedSnapshot[];
  /** The target's newest snapshot of the job after the copy; retention always keeps it. */
  readonly newest: CopiedSnapshot | undefined;
  readonly retention: CopyRetention;
  readonly durationMs: number;
}

/** Where a copy stopped: making sure of the target, creating it, copying, or the target's retention. */
export type CopyStage = "target" | "init" | "copy" | "retention";

/**
 * A copy that failed, naming the repository the failure is in: the job's own (the `source` of the
 * copy) or the `target`; undefined when neither is to blame (the copy was interrupted). The restic
 * error it comes from, with its command, exit code and stderr, is the `cause`.
 */
export class CopyError extends SimplebackupError {
  override name = "CopyError";

  constructor(
    code: SimplebackupErrorCode,
    message: string,
    readonly target: string,
    readonly repository: "source" | "target" | undefined,
    readonly stage: CopyStage,
    cause?: unknown,
  ) {
    super(code, message, { cause });
  }
}

/**
 * Copies the job's snapshots that the target lacks to the target, creating it when it does not exist
 * (never over a wrong password, an unreachable backend, or a local folder whose parent is missing),
 * then applies the target's retention to the job's snapshots there (by the job's tag). Idempotent: a
 * second run copies nothing; a run after the target was down copies every snapshot it missed.
 * @throws CopyError naming the target and the repository at fault (WRONG_PASSWORD, REPO_NOT_FOUND,
 * REPO_LOCKED, BACKEND_UNAVAILABLE, DESTINATION_FULL, PASSWORD_UNAVAILABLE, CONFIG_INVALID,
 * INTERRUPTED, …).
 */
export async function runCopy(
  job: BackupJob,
  target: CopyTarget,
  options: RunCopyOptions,
): Promise<CopyResult> {
  const elapsed = startTimer(options);
  const copy = new CopyRun(job, target, options);
  const result = await copy.execute();
  return { ...result, durationMs: elapsed() };
}

class CopyRun {
  private readonly label: string;
  private readonly repository: string;
  /** The job's repository alone, as a backup opens it; tells which repository a failed copy failed in. */
  private readonly source: JobRestic;
  /** The target alone: its listing and its retention. */
  private readonly targetOnly: JobRestic;
  /** The two together: restic copy, and init from the job's repository. */
  private readonly both: JobRestic;
  private sourceLockRemoved = false;

  constructor(
    private readonly job: BackupJob,
    private readonly target: CopyTarget,
    private readonly options: RunCopyOptions,
  ) {
    this.repository = maskRepository(target.repository);
    this.label = `target "${target.name}" (${this.repository})`;
    // Built before any restic runs: a password_env naming an unset variable fails here, on its side.
    this.source = this.restic("source", () =>
      createJobRestic(job, options, {
        onStaleLockRemoved: (removal) => {
          this.sourceLockRemoved = true;
          this.log(
            `removed a stale lock of PID ${removal.holderPid} on ${removal.holderHost} from the job's repository`,
          );
        },
      }),
    );
    this.targetOnly = this.restic("target", () =>
      createJobRestic(job, options, {
        environment: (env, fps) => buildCopyTargetEnvironment(job, target, env, fps),
      }),
    );
    this.both = this.restic("target", () =>
      createJobRestic(job, options, {
        environment: (env, fps) => buildCopyEnvironment(job, target, env, fps),
      }),
    );
  }

  async execute(): Promise<Omit<CopyResult, "durationMs">> {
    const { job, target } = this;
    this.log(`copy of job "${job.name}" to ${this.label}`);

    // What this copy added is counted from the target's listing before and after, not read from
    // restic's text: 0.18 says nothing of the snapshots it skips, neither version's text is a contract,
    // and the listing serves twice anyway: before, as the probe of the target (opened alone, so a
    // failure is surely the target's, and REPO_NOT_FOUND the one reason to create it); after, for the
    // target's newest snapshot.
    let before = await this.listTarget();
    let initialized = false;
    if (before instanceof ResticError) {
      if (before.code !== "REPO_NOT_FOUND") throw this.failure("target", "target", before);
      await this.initTarget(before);
      initialized = true;
      before = [];
    }

    await this.copy();
    const after = await this.listTarget();
    if (after instanceof ResticError) throw this.failure("copy", "target", after);
    const known = new Set(before.map((snapshot) => snapshot.id));
    const copiedSnapshots = after
      .filter((snapshot) => !known.has(snapshot.id))
      .sort(byTime)
      .map(toCopiedSnapshot);
    const newest = [...after].sort(byTime).at(-1);
    this.log(`the target holds ${after.length} snapshot(s) of the job, ${copiedSnapshots.length} copied now`);

    const retention = await this.retain(after, copiedSnapshots.length);
    return {
      job: job.name,
      target: target.name,
      repository: this.repository,
      initialized,
      copied: copiedSnapshots.length,
      copiedSnapshots,
      newest: newest && toCopiedSnapshot(newest),
      retention,
    };
  }

  /**
   * The job's snapshots in the target (opened alone, so a failure is the target's), or the error:
   * REPO_NOT_FOUND is what tells that it must be created.
   */
  private async listTarget(): Promise<SnapshotInfo[] | ResticError> {
    this.checkNotAborted("target");
    const args = buildSnapshotsArgs(this.job.name);
    const result = await this.targetOnly.run(args);
    if (result.exitCode !== 0 || result.interrupted) return this.targetOnly.error(result, args);
    try {
      return readOutput(args, () => parseSnapshots(result.stdout));
    } catch (error) {
      if (error instanceof ResticError) return error;
      throw error;
    }
  }

  /** Creates the target from the job's repository, unless it must not be created there. */
  private async initTarget(notFound: ResticError): Promise<void> {
    const refusal = await refuseInitReason(this.target.repository);
    if (refusal) {
      throw this.failure(
        "init",
        "target",
        new SimplebackupError("REPO_NOT_FOUND", refusal, { cause: notFound }),
      );
    }
    this.checkNotAborted("init");
    const args = buildInitArgs({ copyChunkerParams: true });
    const init = await this.both.run(args);
    if (init.exitCode !== 0 || init.interrupted) throw await this.blame("init", this.both.error(init, args));
    this.log(`created ${this.label} with the chunker parameters of the job's repository`);
  }

  private async copy(): Promise<void> {
    const restic = this.both;
    this.checkNotAborted("copy");
    const args = buildCopyArgs(this.job.name);
    let result = await restic.run(args);
    if (result.exitCode !== 0 || result.interrupted) {
      const error = restic.error(result, args);
      if (error.code === "INTERRUPTED") throw this.failure("copy", undefined, error);
      const probe = await this.probeSource();
      // The copy met a stale lock in the job's repository, which the job's own restic has now removed
      // (the copy's restic removes stale locks of the target only: its `unlock` opens the target).
      if (probe.error || !probe.lockRemoved) throw this.blamed("copy", error, probe);
      result = await restic.run(args);
      if (result.exitCode !== 0 || result.interrupted)
        throw await this.blame("copy", restic.error(result, args));
    }
    const report = parseCopyOutput(result.stdout);
    for (const { source, target } of report.copied) this.log(`copied snapshot ${source} as ${target}`);
  }

  /**
   * The error of a failed copy or init, naming the repository at fault. restic prints the same words
   * for both (`wrong password or no key found`, a lock, a missing repository), so the job's repository
   * is asked alone: when it fails too, the fault is there and its own error says it best; when it
   * answers, the fault is the target's (reached alone just before). Only a failed copy pays for this.
   */
  private async blame(stage: CopyStage, error: ResticError): Promise<CopyError> {
    if (error.code === "INTERRUPTED") return this.failure(stage, undefined, error);
    return this.blamed(stage, error, await this.probeSource());
  }

  private blamed(stage: CopyStage, error: ResticError, probe: SourceProbe): CopyError {
    return probe.error ? this.failure(stage, "source", probe.error) : this.failure(stage, "target", error);
  }

  /** The job's repository alone, as a backup opens it: a stale lock there is removed. */
  private async probeSource(): Promise<SourceProbe> {
    this.sourceLockRemoved = false;
    const args = buildSnapshotsArgs(this.job.name);
    const result = await this.source.run(args);
    const lockRemoved = this.sourceLockRemoved;
    if (result.exitCode === 0 && !result.interrupted) return { lockRemoved };
    return { error: this.source.error(result, args), lockRemoved };
  }

  /** forget --prune of the job's snapshots on the target, by the target's policy; never after a failure. */
  private async retain(snapshots: readonly SnapshotInfo[], copied: number): Promise<CopyRetention> {
    const restic = this.targetOnly;
    const policy = this.target.retention;
    if (!policy || !hasRetentionRules(policy)) return { status: "skipped", reason: "no-policy" };
    const unsafe = unsafeRetentionReason(this.job, asForgetGroups(snapshots), {
      host: this.options.host ?? hostname(),
      partialSnapshotIds: this.options.stateDir
        ? await partialSnapshotIds(this.options.stateDir, this.job.name)
        : [],
    });
    if (unsafe) {
      this.log(`retention on the target skipped: ${unsafe}`);
      return { status: "skipped", reason: "unsafe", message: unsafe };
    }
    this.checkNotAborted("retention");
    const args = buildForgetArgs(policy, this.job.name, { prune: true });
    const forget = await restic.run(args);
    if (forget.exitCode !== 0 || forget.interrupted) {
      const error = restic.error(forget, args);
      const made = `${copied} snapshot(s) copied, but retention on the target failed: `;
      throw this.failure("retention", error.code === "INTERRUPTED" ? undefined : "target", error, made);
    }
    const groups = readForgetGroups(forget.stdout);
    const kept = groups.reduce((sum, group) => sum + group.keep.length, 0);
    const removedIds = groups.flatMap((group) =>
      group.remove.map((s) => s.short_id ?? s.id?.slice(0, 8) ?? s.time),
    );
    this.log(`retention on the target: kept ${kept}, removed ${removedIds.length}`);
    return { status: "done", kept, removed: removedIds.length, removedIds };
  }

  /**
   * restic for one side; a `password_env` naming an unset variable (or env the two sides set apart)
   * fails here, its message naming the job or the target.
   */
  private restic(side: "source" | "target", create: () => JobRestic): JobRestic {
    try {
      return create();
    } catch (error) {
      if (!(error instanceof SimplebackupError)) throw error;
      this.log(`copy failed before restic ran [${error.code}]: ${error.message}`);
      throw new CopyError(error.code, error.message, this.target.name, side, "target", error);
    }
  }

  private failure(
    stage: CopyStage,
    side: "source" | "target" | undefined,
    error: SimplebackupError,
    detail = "",
  ): CopyError {
    const where =
      side === "target"
        ? `${this.label}: `
        : side === "source"
          ? `the job's repository ${maskRepository(this.job.repository)} (the source of the copy to "${this.target.name}"): `
          : `copy to "${this.target.name}": `;
    const failure = new CopyError(
      error.code,
      `${where}${detail}${error.message}`,
      this.target.name,
      side,
      stage,
      error,
    );
    this.log(`copy failed during ${stage} [${failure.code}]: ${failure.message}`);
    return failure;
  }

  /** An aborted copy starts no further restic (which would only be interrupted at once). */
  private checkNotAborted(stage: CopyStage): void {
    if (!this.options.signal?.aborted) return;
    throw new CopyError(
      "INTERRUPTED",
      `copy to "${this.target.name}" interrupted before the ${stage} step`,
      this.target.name,
      undefined,
      stage,
    );
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}

/** forget already did its work when it exits 0; output we cannot read must not turn that into a failure. */
function readForgetGroups(stdout: string): ForgetGroup[] {
  try {
    return parseForgetOutput(stdout);
  } catch {
    return [];
  }
}

/** What asking the job's repository alone found: its error, and whether a stale lock was removed. */
interface SourceProbe {
  readonly error?: ResticError;
  readonly lockRemoved: boolean;
}

function byTime(a: SnapshotInfo, b: SnapshotInfo): number {
  return Date.parse(a.time) - Date.parse(b.time);
}

function toCopiedSnapshot(snapshot: SnapshotInfo): CopiedSnapshot {
  return { id: snapshot.id, shortId: snapshot.short_id, original: snapshot.original, time: snapshot.time };
}

/**
 * The target's snapshots of the job as forget groups by host, for the rule forget-guard.ts states
 * (which reads the tags to leave database dumps out). A copy is named by its original, the id the
 * job's history knows.
 */
function asForgetGroups(snapshots: readonly SnapshotInfo[]): ForgetGroup[] {
  const hosts = [...new Set(snapshots.map((snapshot) => snapshot.hostname))];
  return hosts.map((host) => ({
    tags: null,
    host,
    paths: [],
    keep: snapshots
      .filter((snapshot) => snapshot.hostname === host)
      .map((snapshot) => ({
        id: snapshot.original ?? snapshot.id,
        short_id: snapshot.short_id,
        time: snapshot.time,
        paths: snapshot.paths,
        ...(snapshot.tags ? { tags: snapshot.tags } : {}),
      })),
    remove: [],
    reasons: [],
  }));
}
