//! Transaction gossip: a `TxBundle` (borsh list of encoded transactions)
//! from any registered peer, decoded within its limits, then each entry
//! decoded as a `SignedTx`, as the node's network task does before
//! validating. Whatever decodes must re-encode to exactly the same bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tanji_ledger::tx::SignedTx;
use tanji_wire::gossip::TxBundle;

fuzz_target!(|data: &[u8]| {
    let Ok(bundle) = TxBundle::decode(data) else {
        return;
    };
    assert_eq!(
        bundle.encode().expect("a decoded bundle re-encodes"),
        data,
        "non-canonical bundle accepted"
    );
    for entry in &bundle.txs {
        if let Ok(tx) = SignedTx::decode(entry) {
            assert_eq!(&tx.encode(), entry, "non-canonical transaction accepted");
            let _ = tx.id();
        }
    }
});
