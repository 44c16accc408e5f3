/**
 * The browser's own verifier of Tanji's log: an independent TypeScript
 * implementation of the checks in `ledger/src/bundle/` (including following
 * validator set changes from pinned keys), built only on the
 * audited `@noble/ed25519` and `@noble/hashes` libraries, and proven to agree
 * with the Rust verifier by the shared vectors in `vectors.json`.
 *
 * - `bundle.ts`: verify the bundles the API serves (start here);
 * - `merkle.ts`: RFC 9162 tree hashes and inclusion proofs (BLAKE3);
 * - `consistency.ts`: RFC 9162 consistency proofs (cross-checks between nodes);
 * - `note.ts`: C2SP signed-note checkpoints, verifier keys, quorum;
 * - `tx.ts`: log entries split into body and approvals, transaction ids;
 * - `ed25519.ts`: the ledger's strict signature rule;
 * - `bytes.ts`, `json.ts`, `result.ts`: strict encodings and plumbing.
 */

export {
  CERTIFICATE_BUNDLE_FORMAT,
  CHECK_NAMES,
  INCLUSION_BUNDLE_FORMAT,
  MAX_BUNDLE_BYTES,
  MAX_BUNDLE_ENTRIES,
  MAX_CERTIFICATE_BUNDLE_BYTES,
  MAX_SET_CHANGES,
  verifyBundle,
  verifyCertificateBundle,
  verifyInclusionBundle,
  type AuthorKeys,
  type BundleFormat,
  type BundleInput,
  type BundleResult,
  type Check,
  type CheckName,
  type EntryFacts,
  type SetChangeFacts,
  type Verdict,
  type VerifyOptions,
} from './bundle'
export { decodeBase64, encodeBase64, fromHex, toHex } from './bytes'
export { verifyConsistency, type NodeHash } from './consistency'
export { checkPublicKey, verifyStrict, type KeyProblem } from './ed25519'
export {
  emptyRoot,
  hashChildren,
  hashLeaf,
  inclusionProofLength,
  MAX_INCLUSION_PROOF_LEN,
  proofErrorMessage,
  rootFromInclusionProof,
  verifyInclusion,
  type ProofError,
} from './merkle'
export {
  isKeyName,
  keyId,
  MAX_NOTE_BYTES,
  MAX_SIGNATURES,
  noteErrorMessage,
  parseCheckpoint,
  parseNote,
  parseVkey,
  toVkey,
  verifyNote,
  type Checkpoint,
  type NoteError,
  type NoteSignature,
  type NoteVerification,
  type NoteVerifier,
  type SignedNote,
} from './note'
export type { Result } from './result'
export {
  decodeGenesisValidators,
  decodeSetChange,
  MAX_APPROVALS,
  MAX_TX_BYTES,
  signedMessage,
  splitEntry,
  TX_ID_CONTEXT,
  TX_KIND_NAMES,
  TX_SIGNING_CONTEXT,
  txId,
  verifyApproval,
  type Approval,
  type SetChange,
  type SplitTx,
  type TxKindName,
  type ValidatorNode,
} from './tx'
