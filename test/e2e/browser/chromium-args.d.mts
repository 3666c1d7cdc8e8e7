/** The switches the test browser starts with (chromium-args.mjs). */
export function chromiumArgs(): string[];
