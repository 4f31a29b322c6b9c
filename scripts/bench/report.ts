/** What each measure hands back: rows for the printed table and figures for bench/results.json. */

/** One line of the printed table; `target` and `met` only where the figure has a target. */
export interface Row {
  name: string;
  value: string;
  target?: string;
  met?: boolean;
}

/** A figure's target as the table shows it, and whether this run met it. */
export interface Target {
  text: string;
  met: boolean;
}

/** Rows in table order, and figures keyed as in bench/results.json. */
export interface Report {
  readonly rows: readonly Row[];
  readonly results: Readonly<Record<string, number>>;
}

/** One figure: a row in the table and the same number under `key` in the results file. */
export function figure(key: string, name: string, value: number, unit: string, target?: Target): Report {
  return {
    rows: [
      {
        name,
        value: `${Number.isInteger(value) ? value : value.toFixed(2)} ${unit}`.trim(),
        ...(target ? { target: target.text, met: target.met } : {}),
      },
    ],
    results: { [key]: value },
  };
}

/** Reports one after another, rows and result keys kept in order. */
export function combine(reports: readonly Report[]): Report {
  return {
    rows: reports.flatMap((report) => report.rows),
    results: Object.assign({}, ...reports.map((report) => report.results)),
  };
}
