/**
 * The client's response envelope: `meta` on every body, `errors[]` on failures, and the fixed
 * error-code → HTTP-status table the Webapp derives statuses from (unknown codes answer 500).
 */

export interface Meta {
  api_status: "stable" | "experimental" | "deprecated";
  version: string;
}

const ERROR_TABLE: Record<number, { title: string; status: number }> = {
  1000: { title: "Generic error", status: 500 },
  1004: { title: "Resource already exists", status: 409 },
  1005: { title: "Access denied", status: 403 },
  1006: { title: "Resource not found", status: 404 },
  1008: { title: "Required parameter is missing", status: 400 },
  1009: { title: "Parameter value is not valid", status: 400 },
  1010: { title: "Parameter is not required", status: 400 },
  1011: { title: "Service not ready", status: 500 },
  1014: { title: "Internal error", status: 500 },
  1015: { title: "Too many requests", status: 429 },
  1016: { title: "System overloaded", status: 503 },
  1017: { title: "Not Primary Master", status: 500 },
  1018: { title: "Not Primary Coreapp", status: 500 },
  1022: { title: "Webhooks URL is not configured", status: 412 },
  1023: { title: "Database error occurred", status: 500 },
  1024: { title: "Password Change Required", status: 401 },
  1025: { title: "Invalid Request", status: 400 },
};

export function statusForCode(code: number): number {
  return ERROR_TABLE[code]?.status ?? 500;
}

/** An API failure as the Webapp reports it; `status` overrides the table (401 from the auth layer). */
export class ApiFailure extends Error {
  readonly code: number;
  readonly status: number;
  readonly details: string | undefined;
  readonly headers: Record<string, string>;

  constructor(code: number, details?: string, options: { status?: number; headers?: Record<string, string> } = {}) {
    super(details ?? ERROR_TABLE[code]?.title ?? "Generic error");
    this.code = code;
    this.details = details;
    this.status = options.status ?? statusForCode(code);
    this.headers = options.headers ?? {};
  }

  get title(): string {
    return ERROR_TABLE[this.code]?.title ?? "Generic error";
  }

  body(meta: Meta): unknown {
    const error: Record<string, unknown> = { code: this.code, title: this.title };
    if (this.details !== undefined) error.details = this.details;
    return { meta, errors: [error] };
  }
}

/** The "Coreapp is down" failure the Webapp answers while the app restarts or is stopped. */
export function coreappDown(): ApiFailure {
  return new ApiFailure(1014, "Unable to connect to coreapp. Please check if wacore is running: wacore:6252");
}
