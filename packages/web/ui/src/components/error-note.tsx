import { ApiError } from "../api";

/** A failed request, said in the page (with the server's code), never only in the console. */
export function ErrorNote({ error, what }: { readonly error: Error; readonly what: string }) {
  const code = error instanceof ApiError ? ` (${error.code})` : "";
  return (
    <p class="error" role="alert">
      Could not load {what}: {error.message}
      {code}
    </p>
  );
}
