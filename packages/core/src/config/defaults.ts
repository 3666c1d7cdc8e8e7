/**
 * How long restic may keep retrying one backend request before the run fails as BACKEND_UNAVAILABLE
 * (`backend_unreachable_after`). restic 0.17+ retries a failing request for up to 15 minutes (0.14 does
 * so once the repository is open); our own retry policy, with its notifications, is the better place
 * to wait that long. Here rather than in the restic adapter, so the config never imports the adapter.
 */
export const DEFAULT_BACKEND_UNREACHABLE_AFTER_MS = 45_000;
