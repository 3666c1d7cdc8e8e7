import type { ConfigProblems } from "../config-state";
import { relativeTime } from "../format";
import { useNow } from "../hooks";
import { href } from "../router";

/**
 * The config file's problems, each with its place: a user who saved a typo learns here why the change
 * never took, and that the daemon goes on with the config it last read. `brief` is the banner every
 * page shows; the config page shows the whole list.
 */
export function ConfigProblemsNote({
  problems,
  brief = false,
}: {
  readonly problems: ConfigProblems;
  readonly brief?: boolean;
}) {
  const now = useNow(); // ticks here only, not in the pages around it
  const count = problems.problems.length;
  const what = `${count} problem${count === 1 ? "" : "s"}`;
  return (
    <div class="notice-box config-problems" role="alert">
      <p>
        <strong>Config not reloaded:</strong> {problems.file ?? "the config"} has {what} (found{" "}
        <time dateTime={problems.at} title={problems.at}>
          {relativeTime(problems.at, now)}
        </time>
        ). The daemon goes on with the config it last read until the file is fixed and saved.
        {brief ? (
          <>
            {" "}
            <a href={href.config()}>See the problems</a>
          </>
        ) : null}
      </p>
      {brief ? null : (
        <ul>
          {problems.problems.map((problem) => (
            <li key={problem}>
              <code>{problem}</code>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
