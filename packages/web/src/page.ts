/**
 * The page at `/` when the package was built without its UI (`vite build` did not run): it says
 * how to mend that. No inline script or style, so it passes the same Content-Security-Policy.
 */
export const UI_NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>simplebackup</title>
</head>
<body>
<h1>simplebackup</h1>
<p>The dashboard's pages were not built into this copy of @simplebackup/web: run
<code>pnpm run build</code> in the repository. The API answers meanwhile:
<a href="/api/jobs">/api/jobs</a>, <a href="/api/config">/api/config</a>.</p>
</body>
</html>
`;
