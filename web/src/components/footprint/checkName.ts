// Words for the check names of GET /v1/footprints/{id}/verify (the backend's
// English identifiers), so each node's report reads in the page's language.

export type CheckName =
  | { key: 'input'; n: string; kind: 'footprint' | 'factor'; ref: string }
  | { key: string }

/** Parses `input #3 footprint <id>` / `input #6 factor id@v`; other names are kept as keys. */
export function parseCheckName(check: string): CheckName {
  const m = /^input #(\d+) (footprint|factor) (\S+)$/.exec(check.trim())
  if (m) return { key: 'input', n: m[1]!, kind: m[2] as 'footprint' | 'factor', ref: m[3]! }
  return { key: check.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '') }
}
