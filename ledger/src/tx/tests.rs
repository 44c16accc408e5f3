use proptest::prelude::*;

use super::*;
use crate::merkle::{Blake3Hasher, MerkleHasher};
use crate::testkit::TestNet;

/// Golden values: the encoding, id, leaf hash and signature of a fixed
/// transaction. A change here changes every id and breaks every signature
/// already on a ledger, so it must be a decision, never an accident.
#[test]
fn golden_anchor_transaction() {
    let net = TestNet::new();
    let tx = net.anchor(&net.supplier(10), 7, "golden");
    let entry = tx.encode();
    assert_eq!(hex::encode(&entry), GOLDEN_ENTRY, "encoding changed");
    assert_eq!(tx.id().to_hex(), GOLDEN_ID, "tx id changed");
    assert_eq!(
        hex::encode(Blake3Hasher::hash_leaf(&entry)),
        GOLDEN_LEAF,
        "leaf hash changed"
    );
    assert_eq!(
        hex::encode(tx.approvals[0].signature.0),
        GOLDEN_SIG,
        "signature changed"
    );
    assert_eq!(SignedTx::decode(&entry), Ok(tx));
}

const GOLDEN_ENTRY: &str = "10000000746573742e74616e6a692e6c6f63616c4eccf738f6c7f0fa403be416a9b9081207000000000000000468ca9baf17c67ef7b4560a4455bacf8dbf296e2a8598fd98604d81532b9c218506000000676f6c64656e010000004eccf738f6c7f0fa403be416a9b908125599d9d284b01399478bda75f06b5b9ba3d23bc554413af8dd77a73fea62db0db1f94ad6bcf33dfede8bf9ff41fe49cd1ef9344f7456aace35c1263e9c3bb001";
const GOLDEN_ID: &str = "1d36b76e538e814f96d1e1123f56a53a28a9edc64edad974b6c27ced5ad377ef";
const GOLDEN_LEAF: &str = "b6bfcef5b422d237448d57ceafbb8bad31bff2161a95b1f5ef0c479e1c5adb7e";
const GOLDEN_SIG: &str = "5599d9d284b01399478bda75f06b5b9ba3d23bc554413af8dd77a73fea62db0db1f94ad6bcf33dfede8bf9ff41fe49cd1ef9344f7456aace35c1263e9c3bb001";

#[test]
fn golden_genesis_id() {
    assert_eq!(TestNet::new().genesis().id().to_hex(), GOLDEN_GENESIS_ID);
}
const GOLDEN_GENESIS_ID: &str = "3833c359a6343f650b960b3411804052d314bc5713556a89ce5209f035e5e503";

/// Golden values of the two observer kinds: tags 12 and 13, authored by the
/// regulator and approved by the operator.
#[test]
fn golden_register_observer() {
    let net = TestNet::new();
    let tx = net.governance(5, TxKind::RegisterObserver(net.observer(100, "observer-0")));
    check_golden(&tx, 12, GOLDEN_REGISTER_OBSERVER);
}

#[test]
fn golden_remove_observer() {
    let net = TestNet::new();
    let tx = net.governance(
        6,
        TxKind::RemoveObserver {
            key: net.observer(100, "observer-0").key,
            reason: "decommissioned".into(),
        },
    );
    check_golden(&tx, 13, GOLDEN_REMOVE_OBSERVER);
}

/// Golden values of the two validator set kinds: tags 15 and 16, authored
/// by the regulator and approved by the operator.
#[test]
fn golden_add_validator() {
    let net = TestNet::new();
    let tx = net.governance(7, TxKind::AddValidator(net.validator(101, "validator-1")));
    check_golden(&tx, 15, GOLDEN_ADD_VALIDATOR);
}

#[test]
fn golden_remove_validator() {
    let net = TestNet::new();
    let tx = net.governance(
        8,
        TxKind::RemoveValidator {
            name: "validator-0".into(),
            reason: "key compromised".into(),
        },
    );
    check_golden(&tx, 16, GOLDEN_REMOVE_VALIDATOR);
}

/// Golden values of a key rotation (tag 17) by governance, declaring the
/// old key compromised from size 5, and of its proof of possession.
#[test]
fn golden_rotate_key() {
    let net = TestNet::new();
    let supplier = net.supplier(10);
    let new = crate::crypto::SecretKey::from_seed(&[99; 32]);
    let possession = KeyRotation::prove_possession(&net.network, &supplier.org_id, &new);
    assert_eq!(
        hex::encode(possession.0),
        GOLDEN_POSSESSION,
        "proof of possession changed"
    );
    let tx = net.governance(
        9,
        TxKind::RotateKey(KeyRotation {
            org: supplier.org_id,
            new_key: NewKey::Signing {
                key: new.public(),
                possession,
            },
            compromised_since: Some(5),
        }),
    );
    check_golden(&tx, 17, GOLDEN_ROTATE_KEY);
}

const GOLDEN_POSSESSION: &str = "412db304031785f42ba72ab1afaac740af66c319c4055c729ab18947e4273c7942ef1c27da8f2b5362549729d5205f25df129538d153d129ac488b565e722a06";
const GOLDEN_ROTATE_KEY: Golden = Golden {
    entry: "10000000746573742e74616e6a692e6c6f63616c3650cb7777e9985c87d780fb8080b6360900000000000000114eccf738f6c7f0fa403be416a9b9081200a7f6dfaf8f38b89ba8ce649b594f91e4d01fdc57f9c9493df43b5e50a9987367412db304031785f42ba72ab1afaac740af66c319c4055c729ab18947e4273c7942ef1c27da8f2b5362549729d5205f25df129538d153d129ac488b565e722a06010500000000000000020000003650cb7777e9985c87d780fb8080b636275df55df85277ad93d23d41115499a0b6527d0e4c0a139c8c613b45678d2749690004e968bb4009dc67b22e7aed149d4027a523b40ad73c0e19e35f2f56d50ceee424d87961834357a0818adfe7440a2face0f08c62f2460f0400922db7dd06552994071dd073128d701ba0847d4a44178a3143c382739d544fb3f0a8a7481511c5a7774940694213a141cd178e7704",
    id: "477ec9195c34a10a7c37752dfed4ff5b0491e753dbd9b8d285bfa5071e20c5e8",
    signatures: [
        "275df55df85277ad93d23d41115499a0b6527d0e4c0a139c8c613b45678d2749690004e968bb4009dc67b22e7aed149d4027a523b40ad73c0e19e35f2f56d50c",
        "2face0f08c62f2460f0400922db7dd06552994071dd073128d701ba0847d4a44178a3143c382739d544fb3f0a8a7481511c5a7774940694213a141cd178e7704",
    ],
};

/// Golden values of a disclosure (tag 14): a supplier records an envelope
/// sealed to its customer.
#[test]
fn golden_disclose() {
    let net = TestNet::new();
    let supplier = net.supplier(10);
    let body = TxBody {
        network: net.network.clone(),
        author: supplier.org_id,
        nonce: 9,
        kind: TxKind::Disclose(crate::carbon::Disclosure {
            footprint: TxId([7; 32]),
            recipient: net.supplier(11).org_id,
            purpose: crate::sealed::Purpose::Opening,
            envelope: crate::sealed::EnvelopeHash([8; 32]),
            size: 251,
        }),
    };
    let tx = SignedTx::sign(body, &[(supplier.org_id, &crate::testkit::key(&supplier))]);
    let entry = tx.encode();
    let tag_at = 4 + tx.body.network.len() + 16 + 8;
    assert_eq!(entry[tag_at], 14, "kind tag changed");
    assert_eq!(
        hex::encode(&entry),
        GOLDEN_DISCLOSE_ENTRY,
        "encoding changed"
    );
    assert_eq!(tx.id().to_hex(), GOLDEN_DISCLOSE_ID, "tx id changed");
    assert_eq!(SignedTx::decode(&entry), Ok(tx.clone()));
}

const GOLDEN_DISCLOSE_ENTRY: &str = "10000000746573742e74616e6a692e6c6f63616c4eccf738f6c7f0fa403be416a9b9081209000000000000000e0707070707070707070707070707070707070707070707070707070707070707d25a6b7254110326dd12613a46c1741c000808080808080808080808080808080808080808080808080808080808080808fb000000010000004eccf738f6c7f0fa403be416a9b908121cf7d17630fa28964cb0937c8395164fd6b48c61b054b2af71858d1b07a73b16ecc845cd2944f9ef8e747e55403f7dfa4fe274e9892a357217542a68297e920a";
const GOLDEN_DISCLOSE_ID: &str = "c2af60717231260eb92a00e416a0cf7b022f000a802a0ea56af51654e36176a9";

struct Golden {
    entry: &'static str,
    id: &'static str,
    signatures: [&'static str; 2],
}

fn check_golden(tx: &SignedTx, tag: u8, golden: Golden) {
    let entry = tx.encode();
    let tag_at = 4 + tx.body.network.len() + 16 + 8;
    assert_eq!(entry[tag_at], tag, "kind tag changed");
    assert_eq!(hex::encode(&entry), golden.entry, "encoding changed");
    assert_eq!(tx.id().to_hex(), golden.id, "tx id changed");
    let sigs: Vec<String> = tx
        .approvals
        .iter()
        .map(|a| hex::encode(a.signature.0))
        .collect();
    assert_eq!(sigs, golden.signatures, "signatures changed");
    assert_eq!(SignedTx::decode(&entry), Ok(tx.clone()));
}

const GOLDEN_REGISTER_OBSERVER: Golden = Golden {
    entry: "10000000746573742e74616e6a692e6c6f63616c3650cb7777e9985c87d780fb8080b63605000000000000000c3650cb7777e9985c87d780fb8080b6360a0000006f627365727665722d302bc2800b3316e009209ffd757dab19ccf0ae84bc7ae90654e1e81712d270f653020000003650cb7777e9985c87d780fb8080b636511ca7d7ebb2f8d6e74bd1b3c993dff43f7ae3c3949e14db5119c00f4bc6a59ea83a89f3ffd8879f091e269d641bc4949d44ead2ade84a7110de0de36a6ec206eee424d87961834357a0818adfe7440aa651b9504cf4f1dbeb9ad4d8092e36cbd16c371a1e5f6061654d4224dad37ebd2982ae3f9e2fc805652cff4f1848b80afbc1f848fca4dedc6f785a681d9ba00e",
    id: "32cb90815f556b8e59f0f0bed6727e44ded3eaa268aaef1f44550f9d4d5f53a5",
    signatures: [
        "511ca7d7ebb2f8d6e74bd1b3c993dff43f7ae3c3949e14db5119c00f4bc6a59ea83a89f3ffd8879f091e269d641bc4949d44ead2ade84a7110de0de36a6ec206",
        "a651b9504cf4f1dbeb9ad4d8092e36cbd16c371a1e5f6061654d4224dad37ebd2982ae3f9e2fc805652cff4f1848b80afbc1f848fca4dedc6f785a681d9ba00e",
    ],
};
const GOLDEN_REMOVE_OBSERVER: Golden = Golden {
    entry: "10000000746573742e74616e6a692e6c6f63616c3650cb7777e9985c87d780fb8080b63606000000000000000d2bc2800b3316e009209ffd757dab19ccf0ae84bc7ae90654e1e81712d270f6530e0000006465636f6d6d697373696f6e6564020000003650cb7777e9985c87d780fb8080b6361f50c68f8e25cd848a3475df70d244cf1441b3eec8b3e84ead6c4ec5a0e8c4c6db27816783dcda4b811f5f4d6e3839bd8a0706c57414ecfb8fb71d825cceea05eee424d87961834357a0818adfe7440abf79b95c2b6d34b42fa757080055e16480b3b9d1ae9765dacc01c43b86e69fae92f9975d9b03c556a97a91ddcaa7676f41b758c79e76e6723fe2cc49cac0e305",
    id: "fe34e21519dc1aea02bbef3a2ecc4af39586d17c6024a18f95e91968228e9e7b",
    signatures: [
        "1f50c68f8e25cd848a3475df70d244cf1441b3eec8b3e84ead6c4ec5a0e8c4c6db27816783dcda4b811f5f4d6e3839bd8a0706c57414ecfb8fb71d825cceea05",
        "bf79b95c2b6d34b42fa757080055e16480b3b9d1ae9765dacc01c43b86e69fae92f9975d9b03c556a97a91ddcaa7676f41b758c79e76e6723fe2cc49cac0e305",
    ],
};

const GOLDEN_ADD_VALIDATOR: Golden = Golden {
    entry: "10000000746573742e74616e6a692e6c6f63616c3650cb7777e9985c87d780fb8080b63607000000000000000feee424d87961834357a0818adfe7440a0b00000076616c696461746f722d31d62f016a1efd1e4fdf793eb42cd84471e1ba9f0cf04d1287b5cc71f616287cb8020000003650cb7777e9985c87d780fb8080b6363fc0938e024e28628c3ac84a4fc0707ca49d1e5534907a163b6cbcc1361450a6b82f22b6da314ce82c49a151dee86f21784c8a252724554851db8cd6aca05508eee424d87961834357a0818adfe7440ab6e3e9f20c5399ed1862ed901f66f5f02f76eefe454f016a9138566fc2e48742ee1b290b8643c7ce13ff08debbbbad452e2f6abacd121bf45d7ed33815045909",
    id: "3e4d668583595704b8759a0246a7b64af6ecb5846aef4168c40af1e61f63d36f",
    signatures: [
        "3fc0938e024e28628c3ac84a4fc0707ca49d1e5534907a163b6cbcc1361450a6b82f22b6da314ce82c49a151dee86f21784c8a252724554851db8cd6aca05508",
        "b6e3e9f20c5399ed1862ed901f66f5f02f76eefe454f016a9138566fc2e48742ee1b290b8643c7ce13ff08debbbbad452e2f6abacd121bf45d7ed33815045909",
    ],
};
const GOLDEN_REMOVE_VALIDATOR: Golden = Golden {
    entry: "10000000746573742e74616e6a692e6c6f63616c3650cb7777e9985c87d780fb8080b6360800000000000000100b00000076616c696461746f722d300f0000006b657920636f6d70726f6d69736564020000003650cb7777e9985c87d780fb8080b6368cb6f39f7fb36b871113a6867978f324a3d506b16e5997f7e97b0b63b412102416288b1b04e35ddeeb788908581abfab8af4d3777412cf0b2b1f021948f8e104eee424d87961834357a0818adfe7440a2524c4d0d1e8025ca27df892eba0ccc1c0f52836687b35f1694a64f0cfdb550a21f5824f32106a77c24a4a915014a718da81c9c2fc5357a7b50f983a1fed2906",
    id: "93c5af2dad3bc41e98ae0f8e78b752227ca423358c758c2eee9e0b83a85c121a",
    signatures: [
        "8cb6f39f7fb36b871113a6867978f324a3d506b16e5997f7e97b0b63b412102416288b1b04e35ddeeb788908581abfab8af4d3777412cf0b2b1f021948f8e104",
        "2524c4d0d1e8025ca27df892eba0ccc1c0f52836687b35f1694a64f0cfdb550a21f5824f32106a77c24a4a915014a718da81c9c2fc5357a7b50f983a1fed2906",
    ],
};

#[test]
fn unknown_kind_is_refused() {
    let net = TestNet::new();
    let tx = net.anchor(&net.supplier(10), 7, "x");
    let mut bytes = tx.encode();
    // network string (4 + len), author (16), nonce (8), then the kind tag.
    let tag = 4 + net.network.len() + 16 + 8;
    assert_eq!(bytes[tag], 4, "anchor is kind 4");
    bytes[tag] = 200;
    assert!(matches!(
        SignedTx::decode(&bytes),
        Err(FormError::Decode(DecodeError::Malformed(_)))
    ));
}

#[test]
fn truncated_and_oversized_are_refused() {
    let net = TestNet::new();
    let bytes = net.anchor(&net.supplier(10), 7, "x").encode();
    for cut in 0..bytes.len() {
        assert!(
            SignedTx::decode(&bytes[..cut]).is_err(),
            "prefix of {cut} bytes decoded"
        );
    }
    let big = vec![0u8; MAX_TX_BYTES + 1];
    assert!(matches!(
        SignedTx::decode(&big),
        Err(FormError::Decode(DecodeError::TooLarge { .. }))
    ));
    let long_label = net.anchor(&net.supplier(10), 7, &"x".repeat(MAX_NAME_LEN + 1));
    assert!(matches!(
        SignedTx::decode(&long_label.encode()),
        Err(FormError::Field { field: "label", .. })
    ));
}

#[test]
fn form_rules() {
    let net = TestNet::new();
    let mut tx = net.anchor(&net.supplier(10), 7, "x");
    tx.approvals.clear();
    assert!(tx.check_form().is_err());
    let mut tx = net.register(&net.supplier(10));
    let dup = tx.approvals[1].clone();
    tx.approvals.push(dup);
    assert!(matches!(
        tx.check_form(),
        Err(FormError::Field {
            field: "approvals",
            ..
        })
    ));
    let mut tx = net.anchor(&net.supplier(10), 7, "x");
    tx.body.network = "tanji/tx/v1".into();
    assert!(tx.check_form().is_err());
    let mut rec = net.supplier(10).record();
    rec.company_id = "91110000".into();
    assert!(rec.check_form().is_err());
    rec.company_id = "urn:uscc:91110000".into();
    rec.name = "bad\nname".into();
    assert!(rec.check_form().is_err());
}

fn arb_anchor() -> impl Strategy<Value = SignedTx> {
    (
        any::<u64>(),
        "[a-zA-Z0-9碳足迹][a-zA-Z0-9 碳足迹]{0,39}",
        10u8..60,
    )
        .prop_map(|(nonce, label, seed)| {
            let net = TestNet::new();
            net.anchor(&net.supplier(seed), nonce, &label)
        })
}

fn arb_observer_tx() -> impl Strategy<Value = SignedTx> {
    (
        any::<u64>(),
        any::<bool>(),
        "[!-*,-~]{1,64}",
        "[a-zA-Z0-9碳足迹][a-zA-Z0-9 碳足迹]{0,39}",
        100u8..200,
    )
        .prop_map(|(nonce, register, name, reason, seed)| {
            let net = TestNet::new();
            let node = net.observer(seed, &name);
            let kind = if register {
                TxKind::RegisterObserver(node)
            } else {
                TxKind::RemoveObserver {
                    key: node.key,
                    reason,
                }
            };
            net.governance(nonce, kind)
        })
}

fn arb_validator_tx() -> impl Strategy<Value = SignedTx> {
    (
        any::<u64>(),
        any::<bool>(),
        "[!-*,-~]{1,64}",
        "[a-zA-Z0-9碳足迹][a-zA-Z0-9 碳足迹]{0,39}",
        100u8..200,
    )
        .prop_map(|(nonce, add, name, reason, seed)| {
            let net = TestNet::new();
            let kind = if add {
                TxKind::AddValidator(net.validator(seed, &name))
            } else {
                TxKind::RemoveValidator { name, reason }
            };
            net.governance(nonce, kind)
        })
}

#[test]
fn validator_change_form_rules() {
    let net = TestNet::new();
    let bad_name = net.governance(1, TxKind::AddValidator(net.validator(101, "validator 1")));
    assert!(matches!(
        bad_name.check_form(),
        Err(FormError::Field {
            field: "validator.name",
            ..
        })
    ));
    let no_reason = net.governance(
        1,
        TxKind::RemoveValidator {
            name: "validator-0".into(),
            reason: String::new(),
        },
    );
    assert!(matches!(
        no_reason.check_form(),
        Err(FormError::Field {
            field: "reason",
            ..
        })
    ));
    let bad_remove = net.governance(
        1,
        TxKind::RemoveValidator {
            name: "validator+0".into(),
            reason: "x".into(),
        },
    );
    assert!(matches!(
        bad_remove.check_form(),
        Err(FormError::Field { field: "name", .. })
    ));
}

proptest! {
    #[test]
    fn encoding_round_trips(tx in prop_oneof![arb_anchor(), arb_observer_tx(), arb_validator_tx()]) {
        let bytes = tx.encode();
        prop_assert_eq!(SignedTx::decode(&bytes), Ok(tx.clone()));
        prop_assert_eq!(TxId::of_body_bytes(&tx.body.encode()), tx.id());
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = SignedTx::decode(&bytes);
    }

    #[test]
    fn a_flipped_bit_never_decodes_to_the_same_transaction(tx in prop_oneof![arb_anchor(), arb_observer_tx(), arb_validator_tx()], pos in any::<prop::sample::Index>(), bit in 0u8..8) {
        let mut bytes = tx.encode();
        let i = pos.index(bytes.len());
        bytes[i] ^= 1 << bit;
        if let Ok(other) = SignedTx::decode(&bytes) {
            prop_assert_ne!(other, tx);
        }
    }
}

/// Golden values of a declared footprint (an imported PACT document): the
/// `Declared` privacy level is tag 3, appended after `Hidden`, so earlier
/// attestations keep their encoding.
#[test]
fn golden_declared_attestation() {
    use crate::carbon::{
        Category, DeclaredFootprint, DeclaredProof, PerCategory, Privacy, Results,
    };
    let net = TestNet::new();
    let supplier = net.supplier(10);
    let mut att = crate::testkit::hidden_attestation("sheet", "kilogram", Vec::new());
    let mut categories = PerCategory::default();
    categories.0[Category::Fossil as usize] = 2_950_000;
    categories.0[Category::BiogenicRemovals as usize] = -20_000;
    att.results = Results {
        categories,
        total_mg: 2_930_000,
        ..Results::default()
    };
    // A v3 document: fossil carbon content stated, biogenic not.
    att.product.carbon = Some(crate::carbon::CarbonContent {
        fossil_mg: 1_000,
        biogenic_mg: None,
    });
    att.privacy = Privacy::Declared(Box::new(DeclaredFootprint {
        issuer: "Nordic Rolled Aluminium AS".into(),
        issuer_ids: vec!["urn:lei:5493001KJTIIGC8Y1R12".into()],
        format: "PACT 3.0.0".into(),
        document_id: "3e4a6b1c-9d2f-4c7a-8b5e-1f0a2c3d4e5f".into(),
        document_hash: [9; 32],
        proof: Some(DeclaredProof {
            footprint: TxId([5; 32]),
            network: "other.tanji".into(),
            tree_size: 42,
            validators_pinned: true,
        }),
    }));
    crate::carbon::compute::check_form(&att).expect("a declared attestation is well formed");
    assert_eq!(
        crate::encoding::encode(&att.privacy)[0],
        3,
        "privacy tag changed"
    );
    let tx = net.signed(&supplier, 3, TxKind::AttestFootprint(att));
    let entry = tx.encode();
    assert_eq!(
        hex::encode(blake3::hash(&entry).as_bytes()),
        GOLDEN_DECLARED_ENTRY_HASH,
        "encoding changed"
    );
    assert_eq!(tx.id().to_hex(), GOLDEN_DECLARED_ID, "tx id changed");
    assert_eq!(SignedTx::decode(&entry), Ok(tx));
}

const GOLDEN_DECLARED_ENTRY_HASH: &str =
    "9ae46d3bbe2aa8697a44d1db6e22a4a7de8f75a873874bcaf3f47f6c1fb91063";
const GOLDEN_DECLARED_ID: &str = "826065a35334e9bd61a0f13cc107097ffa3cc051b1b00955205bb2cc1ccdbe33";
