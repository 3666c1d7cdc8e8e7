import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { homedir, userInfo } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  SERVICE_PLATFORMS,
  type ServiceHost,
  type ServicePlan,
  type ServicePlatform,
  type ServiceStep,
} from "./plan.js";
import { formatShellCommand, quoteWindowsArg } from "./quote.js";

export const platformArg = {
  platform: {
    type: "enum",
    options: [...SERVICE_PLATFORMS] as ServicePlatform[],
    description: "Render for another platform (only with --print). Default: this machine's",
    valueHint: "linux|darwin|win32",
  },
  print: { type: "boolean", description: "Only print what would be written and run; change nothing" },
} as const;

/**
 * The platform to plan for, or a message when the flags cannot work together: another platform's
 * service can be printed, but not installed here.
 */
export function choosePlatform(requested: string | undefined, print: boolean): ServicePlatform | string {
  const platform = requested ?? process.platform;
  if (!SERVICE_PLATFORMS.includes(platform as ServicePlatform)) {
    return `no service support for ${platform}; start \`simplebackup run\` from your init system instead`;
  }
  if (requested !== undefined && requested !== process.platform && !print) {
    return `--platform ${requested} only works with --print on this ${process.platform} machine`;
  }
  return platform as ServicePlatform;
}

export function currentHost(platform: ServicePlatform): ServiceHost {
  const info = safeUserInfo();
  return {
    platform,
    homedir: homedir(),
    env: process.env,
    uid: typeof process.getuid === "function" ? process.getuid() : undefined,
    userId: process.env.USERDOMAIN && info ? `${process.env.USERDOMAIN}\\${info.username}` : info?.username,
  };
}

function safeUserInfo(): { username: string } | undefined {
  try {
    return userInfo();
  } catch {
    return undefined;
  }
}

/** The launcher the service runs: this package's `bin/simplebackup.mjs`, found from the built chunk. */
export function simplebackupBin(): string {
  const bin = fileURLToPath(new URL("../bin/simplebackup.mjs", import.meta.url));
  if (existsSync(bin)) return bin;
  return path.resolve(process.argv[1] ?? bin);
}

/** A command as a person would type it on the plan's platform. */
export function formatStep(step: ServiceStep, platform: ServicePlatform): string {
  return platform === "win32" ? step.argv.map(quoteWindowsArg).join(" ") : formatShellCommand(step.argv);
}

/** Runs a plan's commands in order; false (after telling the user what to do) when a required one fails. */
export function runSteps(steps: readonly ServiceStep[], plan: ServicePlan): boolean {
  for (const step of steps) {
    const [program, ...args] = step.argv;
    if (program === undefined) continue;
    if (!step.mayFail) console.log(`$ ${formatStep(step, plan.platform)}`);
    // A step that may fail (stopping what is not running) would only print noise.
    const result = spawnSync(program, args, { stdio: step.mayFail ? "ignore" : "inherit" });
    if (step.mayFail) continue;
    if (result.error || result.status !== 0) {
      const why = result.error ? result.error.message : `exit code ${result.status ?? result.signal}`;
      console.error(`\n${program} failed (${why}).`);
      console.error(plan.onFailure);
      return false;
    }
  }
  return true;
}

export async function writeServiceFile(plan: ServicePlan): Promise<void> {
  const { file } = plan;
  await mkdir(path.dirname(file.path), { recursive: true });
  const data =
    file.encoding === "utf16le"
      ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(file.content, "utf16le")])
      : file.content;
  await writeFile(file.path, data);
}

export async function removeServiceFile(plan: ServicePlan): Promise<void> {
  await rm(plan.file.path, { force: true });
}
