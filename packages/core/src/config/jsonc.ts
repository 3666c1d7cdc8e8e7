/**
 * Blanks out `//` line comments and `/* … *\/` block comments outside strings, so a commented config
 * (as `simplebackup init` writes it) parses with `JSON.parse`. Every comment character becomes a space
 * and every line break is kept, so the line and column of a JSON syntax error stay those of the file.
 * Text inside strings is never touched: `"sftp://host"` keeps its `//`. An unterminated block comment
 * is blanked to the end, and an unterminated string is left for `JSON.parse` to report.
 */
export function stripJsonComments(text: string): string {
  let out = "";
  let copiedUpTo = 0;
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if (char === '"') {
      i = endOfString(text, i);
      continue;
    }
    if (char === "/" && text[i + 1] === "/") {
      const end = endOfLine(text, i);
      out += text.slice(copiedUpTo, i) + blank(text.slice(i, end));
      copiedUpTo = i = end;
      continue;
    }
    if (char === "/" && text[i + 1] === "*") {
      const close = text.indexOf("*/", i + 2);
      const end = close === -1 ? text.length : close + 2;
      out += text.slice(copiedUpTo, i) + blank(text.slice(i, end));
      copiedUpTo = i = end;
      continue;
    }
    i++;
  }
  return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo);
}

/** The index just past the string that opens at `start`, or the end of its line when it never closes. */
function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const char = text[i];
    if (char === "\\") i++;
    else if (char === '"') return i + 1;
    // JSON strings cannot span lines: stop here so a stray quote does not hide comments below it.
    else if (char === "\n" || char === "\r") return i;
  }
  return text.length;
}

function endOfLine(text: string, start: number): number {
  for (let i = start; i < text.length; i++) {
    if (text[i] === "\n" || text[i] === "\r") return i;
  }
  return text.length;
}

/** Spaces for every character but line breaks, which keep lines and columns where they were. */
function blank(comment: string): string {
  return comment.replace(/[^\r\n]/g, " ");
}
