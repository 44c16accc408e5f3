// Organisation key files (ledger/src/keyfile.rs, `OrgKeyFile`): read in the
// browser only, checked the way `OrgKeyFile::load` checks them, and never
// sent anywhere. Only the signing seed is kept; the X25519 secret is not needed
// to file a footprint and is dropped.
import { equalBytes, fromHex, toHex } from '../verify/bytes'
import { orgIdOf, publicKeyOf } from './crypto'

/** Largest key file read (as the CLI: 64 KiB). */
export const MAX_KEY_FILE = 64 * 1024

/** A loaded, checked organisation signing key. */
export interface OrgKey {
  /** Display name from the file. */
  readonly name: string
  /** Company id URN. */
  readonly companyId: string
  /** Org id, hex (32 characters). */
  readonly orgId: string
  /** Org id bytes (16). */
  readonly orgIdBytes: Uint8Array
  /** Roles listed in the file. */
  readonly roles: readonly string[]
  /** ed25519 public key, hex. */
  readonly publicKey: string
  /** ed25519 seed (32 bytes). Never serialised, never sent. */
  readonly seed: Uint8Array
}

/** Why a file is not a usable key file; `code` is translated by the UI. */
export type KeyFileProblem =
  | { code: 'too-large' }
  | { code: 'not-json' }
  | { code: 'not-object' }
  | { code: 'missing'; field: string }
  | { code: 'bad-hex'; field: string }
  | { code: 'key-mismatch' }
  | { code: 'org-id-mismatch' }

export class KeyFileError extends Error {
  constructor(readonly problem: KeyFileProblem) {
    super(`key file: ${problem.code}${'field' in problem ? ` (${problem.field})` : ''}`)
    this.name = 'KeyFileError'
  }
}

function str(obj: Record<string, unknown>, field: string): string {
  const v = obj[field]
  if (typeof v !== 'string' || v.length === 0) throw new KeyFileError({ code: 'missing', field })
  return v
}

/** Parses and checks the text of an organisation key file. */
export function parseKeyFile(text: string): OrgKey {
  if (text.length > MAX_KEY_FILE) throw new KeyFileError({ code: 'too-large' })
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new KeyFileError({ code: 'not-json' })
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new KeyFileError({ code: 'not-object' })
  }
  const obj = json as Record<string, unknown>
  const name = str(obj, 'name')
  const companyId = str(obj, 'company_id')
  const orgIdHex = str(obj, 'org_id')
  const secretHex = str(obj, 'signing_secret')
  const publicHex = str(obj, 'signing_key')
  const orgIdBytes = fromHex(orgIdHex, 16)
  if (!orgIdBytes) throw new KeyFileError({ code: 'bad-hex', field: 'org_id' })
  const seed = fromHex(secretHex, 32)
  if (!seed) throw new KeyFileError({ code: 'bad-hex', field: 'signing_secret' })
  const stated = fromHex(publicHex, 32)
  if (!stated) throw new KeyFileError({ code: 'bad-hex', field: 'signing_key' })
  if (!equalBytes(publicKeyOf(seed), stated)) throw new KeyFileError({ code: 'key-mismatch' })
  if (!equalBytes(orgIdOf(companyId), orgIdBytes)) throw new KeyFileError({ code: 'org-id-mismatch' })
  const roles = Array.isArray(obj.roles) ? obj.roles.filter((r): r is string => typeof r === 'string') : []
  return {
    name,
    companyId,
    orgId: toHex(orgIdBytes),
    orgIdBytes,
    roles,
    publicKey: toHex(stated),
    seed,
  }
}

/** Reads a File chosen by the user (size-checked before reading). */
export async function readKeyFile(file: Blob): Promise<OrgKey> {
  if (file.size > MAX_KEY_FILE) throw new KeyFileError({ code: 'too-large' })
  return parseKeyFile(await file.text())
}
