/** Escapes text for XML element content and attribute values (plist, Task Scheduler XML). */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => XML_ENTITIES[char] ?? char);
}

const XML_ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

/**
 * One word of a systemd command line (`ExecStart=`): quoted when it holds spaces, quotes or backslashes,
 * with C escapes inside the quotes; `%` doubled (systemd specifiers) and `$` doubled (variable expansion).
 */
export function quoteSystemdArg(arg: string): string {
  const escaped = arg.replace(/%/g, "%%").replace(/\$/g, "$$$$");
  if (escaped !== "" && !/[\s"'\\;]/.test(escaped)) return escaped;
  return `"${escapeC(escaped)}"`;
}

/** A systemd `Environment=` assignment, quoted; systemd expands `%` specifiers there but not `$`. */
export function quoteSystemdEnvironment(name: string, value: string): string {
  return `"${escapeC(`${name}=${value}`.replace(/%/g, "%%"))}"`;
}

function escapeC(text: string): string {
  return text
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r")
    .replace(/\t/g, "\\t");
}

/**
 * One argument of a Windows command line, as `CommandLineToArgvW` reads it back: quoted when it holds
 * spaces, tabs or quotes; backslashes before a quote are doubled.
 */
export function quoteWindowsArg(arg: string): string {
  if (arg !== "" && !/[\s"]/.test(arg)) return arg;
  return `"${arg.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, "$1$1")}"`;
}

/** A command for a POSIX shell, to show a person what to run. */
export function formatShellCommand(argv: readonly string[]): string {
  return argv
    .map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`))
    .join(" ");
}
