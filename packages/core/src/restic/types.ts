/** Typed messages restic prints with `--json`. Unknown lines are kept as `unknown`, never dropped. */

export interface ResticStatusMessage {
  readonly message_type: "status";
  readonly seconds_elapsed?: number;
  readonly seconds_remaining?: number;
  readonly percent_done: number;
  readonly total_files?: number;
  readonly files_done?: number;
  readonly total_bytes?: number;
  readonly bytes_done?: number;
  readonly error_count?: number;
  readonly current_files?: readonly string[];
}

export interface ResticSummaryMessage {
  readonly message_type: "summary";
  readonly files_new: number;
  readonly files_changed: number;
  readonly files_unmodified: number;
  readonly dirs_new: number;
  readonly dirs_changed: number;
  readonly dirs_unmodified: number;
  readonly data_blobs: number;
  readonly tree_blobs: number;
  readonly data_added: number;
  readonly data_added_packed?: number;
  readonly total_files_processed: number;
  readonly total_bytes_processed: number;
  readonly total_duration: number;
  /** 8 hex chars on 0.14, 64 on 0.15+; absent on 0.17+ when `--skip-if-unchanged` skipped it. */
  readonly snapshot_id?: string;
  readonly dry_run?: boolean;
  readonly backup_start?: string;
  readonly backup_end?: string;
}

/** A file restic could not read. `message` is derived: 0.14 prints `{}` or `{Op,Path,Err}`, 0.17.1+ `{message}`. */
export interface ResticErrorMessage {
  readonly message_type: "error";
  readonly message: string;
  readonly during?: string;
  readonly item?: string;
}

/** 0.18+: a fatal error as JSON on stderr. */
export interface ResticExitErrorMessage {
  readonly message_type: "exit_error";
  readonly code: number;
  readonly message: string;
}

export interface ResticVerboseStatusMessage {
  readonly message_type: "verbose_status";
  readonly action: string;
  readonly item?: string;
}

export interface ResticUnknownMessage {
  readonly message_type: "unknown";
  /** The raw line, as restic printed it. */
  readonly line: string;
}

export type ResticMessage =
  | ResticStatusMessage
  | ResticSummaryMessage
  | ResticErrorMessage
  | ResticExitErrorMessage
  | ResticVerboseStatusMessage
  | ResticUnknownMessage;
