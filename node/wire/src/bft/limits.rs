//! Size and count limits of batches and of their proposal parts, shared by
//! the codec (which checks them on every decoded part) and by the node's
//! batch assembly (which checks them on every built or reassembled batch).

pub use tanji_ledger::tx::MAX_TX_BYTES;

/// Most entries in one batch.
pub const MAX_BATCH_TXS: usize = 4096;
/// Largest canonical batch encoding (8 MiB).
pub const MAX_BATCH_BYTES: usize = 8 * 1024 * 1024;
/// Largest encoded `Data` chunk (`borsh(Vec<Vec<u8>>)`, 256 KiB). Every
/// entry fits, since entries are at most [`MAX_TX_BYTES`].
pub const MAX_PART_BYTES: usize = 256 * 1024;
