/**
 * The page at `/` until the dashboard's UI lands (issue 17's next slice). No inline script or
 * style, so it passes the same Content-Security-Policy the UI will.
 */
export const PLACEHOLDER_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>simplebackup</title>
</head>
<body>
<h1>simplebackup</h1>
<p>The dashboard's pages come in a later version. Its API is here: <a href="/api/jobs">/api/jobs</a>,
<a href="/api/config">/api/config</a>, <a href="/api/events">/api/events</a>.</p>
</body>
</html>
`;
