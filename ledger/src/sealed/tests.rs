use curve25519_dalek_bp::scalar::Scalar;
use proptest::prelude::*;

use super::*;
use crate::zk::{FootprintOpening, InputWitness, QuantityOpening, Witness};

fn secret(n: u8) -> EncryptionSecret {
    EncryptionSecret::from_bytes([n; 32])
}

fn footprint_opening(k: u64) -> FootprintOpening {
    FootprintOpening {
        values: [1_234_567, -2, 3, 0, i64::MAX - k as i64],
        blindings: std::array::from_fn(|c| Scalar::from(k * 10 + c as u64 + 1)),
    }
}

fn quantity_opening(v: u64) -> QuantityOpening {
    QuantityOpening {
        value: v,
        blinding: Scalar::from(v ^ 0x5a5a),
    }
}

/// Three inputs: a factor input, a hidden upstream one, another factor input.
fn raw_data(model: Option<&str>) -> RawData {
    RawData {
        witness: Witness {
            inputs: vec![
                InputWitness {
                    quantity: quantity_opening(35_200_000),
                    upstream: None,
                },
                InputWitness {
                    quantity: quantity_opening(1_000_000),
                    upstream: Some(footprint_opening(7)),
                },
                InputWitness {
                    quantity: quantity_opening(0),
                    upstream: None,
                },
            ],
            result: footprint_opening(9),
        },
        model: model.map(str::to_owned),
    }
}

fn binding(purpose: Purpose) -> EnvelopeBinding {
    EnvelopeBinding {
        network: "tanji-test".into(),
        footprint: TxId([0x11; 32]),
        sender: OrgId([0x22; 16]),
        recipient: OrgId([0x33; 16]),
        purpose,
    }
}

fn sealed_opening() -> (EnvelopeBinding, Envelope) {
    let b = binding(Purpose::Opening);
    let env = seal(
        &secret(3).public(),
        &b,
        &SealedContent::Opening(footprint_opening(1)),
    )
    .expect("seal");
    (b, env)
}

/// Seals arbitrary plaintext under `binding`, bypassing `seal`'s checks, to
/// see what `open` does with content an honest sender never makes.
fn seal_plaintext(
    recipient: &EncryptionKey,
    binding: &EnvelopeBinding,
    plaintext: &[u8],
) -> Envelope {
    let info = binding.info().expect("info");
    let pk = <Kem as hpke::Kem>::PublicKey::from_bytes(&recipient.0).expect("key");
    let (enc, ciphertext) = hpke::single_shot_seal_with_rng::<Aead, Kdf, Kem>(
        &OpModeS::Base,
        &pk,
        &info,
        plaintext,
        &aad(&info),
        &mut SeededRng::new(&[5; 32]),
    )
    .expect("seal");
    let enc = <[u8; 32]>::try_from(enc.to_bytes().as_slice()).expect("32 bytes");
    Envelope { enc, ciphertext }
}

#[test]
fn opening_round_trip() {
    let (b, env) = sealed_opening();
    let got = open(&secret(3), &b, &env).expect("open");
    assert_eq!(got, SealedContent::Opening(footprint_opening(1)));
    assert_eq!(got.purpose(), Purpose::Opening);
    // Through the byte form too.
    let env2 = Envelope::from_bytes(&env.to_bytes()).expect("decode");
    assert_eq!(env2, env);
    assert_eq!(open(&secret(3), &b, &env2).expect("open"), got);
    // version + enc + (202-byte content + 16-byte tag)
    assert_eq!(env.to_bytes().len(), 1 + 32 + 202 + 16);
}

#[test]
fn raw_data_round_trip() {
    let b = binding(Purpose::RawData);
    let key = secret(3).public();
    for model in [None, Some(""), Some("[[inputs]]\nfactor = \"电力\"\n")] {
        let content = SealedContent::RawData(raw_data(model));
        let env = seal(&key, &b, &content).expect("seal");
        assert_eq!(open(&secret(3), &b, &env).expect("open"), content);
    }
    // No inputs at all, and the largest model text.
    let big = "m".repeat(MAX_MODEL_BYTES);
    let content = SealedContent::RawData(RawData {
        witness: Witness {
            inputs: vec![],
            result: footprint_opening(2),
        },
        model: Some(big),
    });
    let env = seal(&key, &b, &content).expect("seal");
    assert_eq!(open(&secret(3), &b, &env).expect("open"), content);
}

#[test]
fn largest_content_fits_an_envelope() {
    let input = InputWitness {
        quantity: quantity_opening(u64::MAX),
        upstream: Some(footprint_opening(4)),
    };
    let content = SealedContent::RawData(RawData {
        witness: Witness {
            inputs: vec![input; MAX_PROOF_INPUTS],
            result: footprint_opening(5),
        },
        model: Some("x".repeat(MAX_MODEL_BYTES)),
    });
    assert_eq!(content.to_bytes().len(), MAX_CONTENT_BYTES);
    let b = binding(Purpose::RawData);
    let env = seal(&secret(3).public(), &b, &content).expect("seal");
    let bytes = env.to_bytes();
    assert!(bytes.len() <= MAX_ENVELOPE_BYTES);
    let env = Envelope::from_bytes(&bytes).expect("decode");
    assert_eq!(open(&secret(3), &b, &env).expect("open"), content);
}

#[test]
fn sealing_is_randomised() {
    let (_, a) = sealed_opening();
    let (_, b) = sealed_opening();
    assert_ne!(a.enc, b.enc);
    assert_ne!(a.ciphertext, b.ciphertext);
    assert_ne!(a.hash(), b.hash());
}

#[test]
fn a_third_party_cannot_open() {
    let (b, env) = sealed_opening();
    for n in [0u8, 1, 4, 0xff] {
        assert_eq!(open(&secret(n), &b, &env), Err(OpenError::Decrypt));
    }
}

#[test]
fn another_binding_cannot_open() {
    let (b, env) = sealed_opening();
    let mut others = Vec::new();
    let mut o = b.clone();
    o.network = "tanji-test2".into();
    others.push(o);
    let mut o = b.clone();
    o.footprint.0[31] ^= 1;
    others.push(o);
    let mut o = b.clone();
    o.sender.0[0] ^= 0x80;
    others.push(o);
    let mut o = b.clone();
    o.recipient = o.sender;
    others.push(o);
    let mut o = b.clone();
    o.purpose = Purpose::RawData;
    others.push(o);
    for other in others {
        assert_eq!(
            open(&secret(3), &other, &env),
            Err(OpenError::Decrypt),
            "{other:?}"
        );
    }
    assert!(open(&secret(3), &b, &env).is_ok());
}

#[test]
fn content_must_match_the_purpose() {
    let key = secret(3).public();
    assert_eq!(
        seal(
            &key,
            &binding(Purpose::RawData),
            &SealedContent::Opening(footprint_opening(1))
        ),
        Err(SealError::PurposeMismatch {
            content: Purpose::Opening,
            binding: Purpose::RawData
        })
    );
    assert_eq!(
        seal(
            &key,
            &binding(Purpose::Opening),
            &SealedContent::RawData(raw_data(None))
        ),
        Err(SealError::PurposeMismatch {
            content: Purpose::RawData,
            binding: Purpose::Opening
        })
    );
    // A sender that bypasses `seal` gets its envelope refused at `open`.
    let b = binding(Purpose::RawData);
    let env = seal_plaintext(
        &key,
        &b,
        &SealedContent::Opening(footprint_opening(1)).to_bytes(),
    );
    assert_eq!(
        open(&secret(3), &b, &env),
        Err(OpenError::PurposeMismatch {
            content: Purpose::Opening,
            binding: Purpose::RawData
        })
    );
}

#[test]
fn malformed_plaintext_is_a_content_error() {
    let key = secret(3).public();
    let b = binding(Purpose::Opening);
    let mut bytes = SealedContent::Opening(footprint_opening(1))
        .to_bytes()
        .to_vec();
    bytes.push(0);
    let env = seal_plaintext(&key, &b, &bytes);
    assert_eq!(
        open(&secret(3), &b, &env),
        Err(OpenError::Content(EnvelopeError::TrailingBytes(1)))
    );
    let env = seal_plaintext(&key, &b, &[]);
    assert_eq!(
        open(&secret(3), &b, &env),
        Err(OpenError::Content(EnvelopeError::Truncated("the version")))
    );
}

#[test]
fn invalid_bindings_and_keys_are_refused() {
    let content = SealedContent::Opening(footprint_opening(1));
    for network in ["", "has space", "tanji/x", &"n".repeat(65)] {
        let mut b = binding(Purpose::Opening);
        b.network = network.to_owned();
        assert!(matches!(
            seal(&secret(3).public(), &b, &content),
            Err(SealError::Binding(_))
        ));
        let (_, env) = sealed_opening();
        assert!(matches!(
            open(&secret(3), &b, &env),
            Err(OpenError::Binding(_))
        ));
    }
    // The longest network name is fine.
    let mut b = binding(Purpose::Opening);
    b.network = "n".repeat(64);
    let env = seal(&secret(3).public(), &b, &content).expect("seal");
    assert_eq!(open(&secret(3), &b, &env), Ok(content.clone()));
    // Small-order recipient keys (u = 0, u = 1): the shared secret would be known.
    let mut one = [0u8; 32];
    one[0] = 1;
    for key in [[0u8; 32], one] {
        assert_eq!(
            seal(&EncryptionKey(key), &binding(Purpose::Opening), &content),
            Err(SealError::RecipientKey)
        );
    }
    // A small-order or short ciphertext in an envelope built by hand.
    let b = binding(Purpose::Opening);
    let bad = [
        Envelope {
            enc: [0; 32],
            ciphertext: vec![0; 40],
        },
        Envelope {
            enc: secret(9).public().0,
            ciphertext: vec![],
        },
        Envelope {
            enc: secret(9).public().0,
            ciphertext: vec![1; 15],
        },
    ];
    for env in bad {
        assert_eq!(open(&secret(3), &b, &env), Err(OpenError::Decrypt));
    }
}

#[test]
fn too_large_is_refused() {
    let b = binding(Purpose::RawData);
    let key = secret(3).public();
    let input = InputWitness {
        quantity: quantity_opening(1),
        upstream: None,
    };
    let mut raw = raw_data(None);
    raw.witness.inputs = vec![input; MAX_PROOF_INPUTS + 1];
    let content = SealedContent::RawData(raw);
    assert_eq!(
        seal(&key, &b, &content),
        Err(SealError::Content(EnvelopeError::TooManyInputs(257)))
    );
    // What `to_bytes` makes of it is refused by `from_bytes`.
    assert_eq!(
        SealedContent::from_bytes(&content.to_bytes()),
        Err(EnvelopeError::TooManyInputs(257))
    );

    let content = SealedContent::RawData(raw_data(Some(&"m".repeat(MAX_MODEL_BYTES + 1))));
    assert_eq!(
        seal(&key, &b, &content),
        Err(SealError::Content(EnvelopeError::ModelTooLong(
            MAX_MODEL_BYTES + 1
        )))
    );
    assert_eq!(
        SealedContent::from_bytes(&content.to_bytes()),
        Err(EnvelopeError::ModelTooLong(MAX_MODEL_BYTES + 1))
    );

    assert!(matches!(
        Envelope::from_bytes(&vec![ENVELOPE_VERSION; MAX_ENVELOPE_BYTES + 1]),
        Err(EnvelopeError::TooLarge { .. })
    ));
    assert!(Envelope::from_bytes(&vec![ENVELOPE_VERSION; MAX_ENVELOPE_BYTES]).is_ok());
    assert!(matches!(
        SealedContent::from_bytes(&vec![0; MAX_CONTENT_BYTES + 1]),
        Err(EnvelopeError::TooLarge { .. })
    ));
    // A declared model length above the limit is refused before reading it.
    let mut bytes = SealedContent::RawData(raw_data(None)).to_bytes().to_vec();
    let last = bytes.len() - 1;
    bytes[last] = 1;
    bytes.extend_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(
        SealedContent::from_bytes(&bytes),
        Err(EnvelopeError::ModelTooLong(u32::MAX as usize))
    );
}

#[test]
fn envelope_decoding() {
    assert_eq!(
        Envelope::from_bytes(&[]),
        Err(EnvelopeError::TooShort { got: 0, min: 49 })
    );
    assert_eq!(
        Envelope::from_bytes(&[2; 100]),
        Err(EnvelopeError::Version(2))
    );
    assert_eq!(
        Envelope::from_bytes(&[1; 48]),
        Err(EnvelopeError::TooShort { got: 48, min: 49 })
    );
    let env = Envelope::from_bytes(&[1; 49]).expect("shortest");
    assert_eq!(env.enc, [1; 32]);
    assert_eq!(env.ciphertext, vec![1; 16]);
    assert_eq!(env.to_bytes(), vec![1; 49]);
    assert_eq!(env.hash(), EnvelopeHash::of_bytes(&[1; 49]));
}

#[test]
fn content_decoding_errors() {
    let good = SealedContent::RawData(raw_data(Some("model")))
        .to_bytes()
        .to_vec();
    assert!(SealedContent::from_bytes(&good).is_ok());
    let with = |at: usize, v: u8| {
        let mut b = good.clone();
        b[at] = v;
        SealedContent::from_bytes(&b)
    };
    assert_eq!(with(0, 2), Err(EnvelopeError::ContentVersion(2)));
    assert_eq!(with(1, 2), Err(EnvelopeError::Kind(2)));
    // The first input's upstream flag.
    assert_eq!(
        with(4 + 40, 2),
        Err(EnvelopeError::Flag {
            field: "an input's upstream",
            value: 2
        })
    );
    // A non-canonical blinding (top byte 0xff) in the first quantity opening.
    assert_eq!(
        with(4 + 39, 0xff),
        Err(EnvelopeError::Opening("an input's quantity opening"))
    );
    // Invalid UTF-8 in the model text.
    assert_eq!(with(good.len() - 1, 0xff), Err(EnvelopeError::ModelNotUtf8));
    // Every truncation is refused, and so is any trailing byte.
    for len in 0..good.len() {
        assert!(SealedContent::from_bytes(&good[..len]).is_err(), "{len}");
    }
    let mut long = good.clone();
    long.push(0);
    assert_eq!(
        SealedContent::from_bytes(&long),
        Err(EnvelopeError::TrailingBytes(1))
    );
    let opening = SealedContent::Opening(footprint_opening(1)).to_bytes();
    assert_eq!(
        SealedContent::from_bytes(&opening[..201]),
        Err(EnvelopeError::Truncated("the opening"))
    );
}

#[test]
fn envelope_hash_text_forms() {
    let h = Envelope {
        enc: [7; 32],
        ciphertext: vec![9; 20],
    }
    .hash();
    let hex = h.to_hex();
    assert_eq!(hex.len(), 64);
    assert_eq!(hex, hex.to_lowercase());
    assert_eq!(h.to_string(), hex);
    assert_eq!(hex.parse::<EnvelopeHash>(), Ok(h));
    assert_eq!(EnvelopeHash::from_hex(&hex.to_uppercase()), Ok(h));
    assert_eq!(format!("{h:?}"), format!("EnvelopeHash({hex})"));
    let json = serde_json::to_string(&h).expect("json");
    assert_eq!(json, format!("\"{hex}\""));
    assert_eq!(serde_json::from_str::<EnvelopeHash>(&json).ok(), Some(h));
    assert!(serde_json::from_str::<EnvelopeHash>("\"00\"").is_err());
    assert_eq!(borsh::to_vec(&h).expect("borsh"), h.0.to_vec());
    assert_eq!(borsh::from_slice::<EnvelopeHash>(&h.0).ok(), Some(h));
    for bad in [
        "",
        "zz",
        &hex[..63],
        &format!("{}g", &hex[..63]),
        &format!("{hex}0"),
    ] {
        assert!(bad.parse::<EnvelopeHash>().is_err(), "{bad}");
    }
}

#[test]
fn purpose_text_forms() {
    for (p, s, tag) in [
        (Purpose::Opening, "opening", 0u8),
        (Purpose::RawData, "raw_data", 1),
    ] {
        assert_eq!(p.as_str(), s);
        assert_eq!(p.to_string(), s);
        assert_eq!(Purpose::parse(s), Some(p));
        assert_eq!(serde_json::to_string(&p).expect("json"), format!("\"{s}\""));
        assert_eq!(
            serde_json::from_str::<Purpose>(&format!("\"{s}\"")).ok(),
            Some(p)
        );
        // The borsh tag is the byte in `info` and the content's kind.
        assert_eq!(borsh::to_vec(&p).expect("borsh"), vec![tag]);
        assert_eq!(p.tag(), tag);
    }
    assert_eq!(Purpose::parse("Opening"), None);
    assert_eq!(Purpose::parse("raw-data"), None);
}

#[test]
fn debug_never_prints_secrets() {
    let content = SealedContent::RawData(raw_data(Some("secret model")));
    let text = format!("{content:?}");
    assert!(!text.contains("secret model"), "{text}");
    assert!(text.contains("inputs: 3"), "{text}");
}

#[test]
fn info_layout() {
    let info = binding(Purpose::RawData).info().expect("info");
    let mut expect = b"tanji/envelope/v1".to_vec();
    expect.extend_from_slice(&10u32.to_le_bytes());
    expect.extend_from_slice(b"tanji-test");
    expect.extend_from_slice(&[0x11; 32]);
    expect.extend_from_slice(&[0x22; 16]);
    expect.extend_from_slice(&[0x33; 16]);
    expect.push(1);
    assert_eq!(info, expect);
    // The same as borsh of the fields after the label.
    let b = binding(Purpose::RawData);
    let fields =
        borsh::to_vec(&(&b.network, b.footprint, b.sender, b.recipient, b.purpose)).expect("borsh");
    assert_eq!(info[ENVELOPE_INFO_LABEL.len()..], fields[..]);
    assert_eq!(aad(&info)[0], ENVELOPE_VERSION);
    assert_eq!(aad(&info)[1..], info[..]);
}

// --- Golden values: a change here is a change of format, to be decided. ---

#[test]
fn golden_opening_encoding() {
    let bytes = SealedContent::Opening(footprint_opening(1)).to_bytes();
    assert_eq!(hex::encode(&*bytes), GOLDEN_OPENING.replace(' ', ""));
}
const GOLDEN_OPENING: &str = "\
    0100\
    87d6120000000000 0b00000000000000000000000000000000000000000000000000000000000000\
    feffffffffffffff 0c00000000000000000000000000000000000000000000000000000000000000\
    0300000000000000 0d00000000000000000000000000000000000000000000000000000000000000\
    0000000000000000 0e00000000000000000000000000000000000000000000000000000000000000\
    feffffffffffff7f 0f00000000000000000000000000000000000000000000000000000000000000";

#[test]
fn golden_raw_data_encoding() {
    let bytes = SealedContent::RawData(raw_data(Some("model"))).to_bytes();
    assert_eq!(bytes.len(), GOLDEN_RAW_DATA_LEN);
    assert_eq!(
        blake3::hash(&bytes).to_hex().as_str(),
        GOLDEN_RAW_DATA_BLAKE3
    );
}
const GOLDEN_RAW_DATA_LEN: usize = 537;
const GOLDEN_RAW_DATA_BLAKE3: &str =
    "7e6345a104bd9eca8243bf6573161980fa2a94447a814fffd3db5f85c34e0f7b";

#[test]
fn golden_envelope_hash() {
    let env = Envelope {
        enc: [7; 32],
        ciphertext: vec![9; 20],
    };
    assert_eq!(env.hash().to_hex(), GOLDEN_ENVELOPE_HASH);
}
const GOLDEN_ENVELOPE_HASH: &str =
    "c874aeafe8d035e2222a1b16e739ce6438ec6244619dfba837c8dafc11753201";

/// Pins the whole construction: ephemeral key derivation, `info`, `aad`,
/// HPKE suite and content encoding.
#[test]
fn golden_seal_with_fixed_seed() {
    let b = binding(Purpose::Opening);
    let content = SealedContent::Opening(footprint_opening(1));
    let env = seal_with_seed(&secret(3).public(), &b, &content, &[42; 32]).expect("seal");
    assert_eq!(hex::encode(env.enc), GOLDEN_SEALED_ENC);
    assert_eq!(env.hash().to_hex(), GOLDEN_SEALED_HASH);
    assert_eq!(open(&secret(3), &b, &env), Ok(content));
}
const GOLDEN_SEALED_ENC: &str = "5ca49fdb62a607a79bcc5ede260d68716bdaf6e85a0ca9f564a2be0868ad6b19";
const GOLDEN_SEALED_HASH: &str = "551166a39d76df1fa1fbc578ac814d5a23fc266399cc0824a1fcf1c024e658df";

// --- Properties ---

fn arb_scalar() -> impl Strategy<Value = Scalar> {
    any::<[u8; 32]>().prop_map(Scalar::from_bytes_mod_order)
}

fn arb_footprint_opening() -> impl Strategy<Value = FootprintOpening> {
    (any::<[i64; 5]>(), prop::array::uniform5(arb_scalar()))
        .prop_map(|(values, blindings)| FootprintOpening { values, blindings })
}

fn arb_input() -> impl Strategy<Value = InputWitness> {
    (
        any::<u64>(),
        arb_scalar(),
        prop::option::of(arb_footprint_opening()),
    )
        .prop_map(|(value, blinding, upstream)| InputWitness {
            quantity: QuantityOpening { value, blinding },
            upstream,
        })
}

fn arb_content() -> impl Strategy<Value = SealedContent> {
    prop_oneof![
        arb_footprint_opening().prop_map(SealedContent::Opening),
        (
            prop::collection::vec(arb_input(), 0..6),
            arb_footprint_opening(),
            prop::option::of(".{0,40}"),
        )
            .prop_map(|(inputs, result, model)| SealedContent::RawData(RawData {
                witness: Witness { inputs, result },
                model,
            })),
    ]
}

proptest! {
    #[test]
    fn content_encoding_round_trips(content in arb_content()) {
        let bytes = content.to_bytes();
        let back = SealedContent::from_bytes(&bytes);
        prop_assert_eq!(back.as_ref(), Ok(&content));
    }

    #[test]
    fn content_seals_and_opens(content in arb_content(), n in 1u8..=255) {
        let b = binding(content.purpose());
        let env = seal(&secret(n).public(), &b, &content).expect("seal");
        prop_assert_eq!(open(&secret(n), &b, &env), Ok(content));
    }

    #[test]
    fn a_flipped_bit_never_opens(bit in 0usize..(1 + 32 + 202 + 16) * 8) {
        let (b, env) = sealed_opening();
        let mut bytes = env.to_bytes();
        bytes[bit / 8] ^= 1 << (bit % 8);
        match Envelope::from_bytes(&bytes) {
            Err(e) => prop_assert_eq!(e, EnvelopeError::Version(ENVELOPE_VERSION ^ (1 << (bit % 8)))),
            Ok(altered) => prop_assert_eq!(open(&secret(3), &b, &altered), Err(OpenError::Decrypt)),
        }
    }

    #[test]
    fn arbitrary_envelope_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(env) = Envelope::from_bytes(&bytes) {
            prop_assert_eq!(env.to_bytes(), bytes.clone());
            prop_assert_eq!(env.hash(), EnvelopeHash::of_bytes(&bytes));
            prop_assert!(open(&secret(3), &binding(Purpose::Opening), &env).is_err());
        }
    }

    #[test]
    fn arbitrary_content_bytes_never_panic(
        kind in 0u8..3,
        tail in prop::collection::vec(any::<u8>(), 0..700),
    ) {
        let mut bytes = vec![CONTENT_VERSION, kind];
        bytes.extend_from_slice(&tail);
        for b in [&bytes[..], &tail[..]] {
            if let Ok(content) = SealedContent::from_bytes(b) {
                prop_assert_eq!(&content.to_bytes()[..], b);
            }
        }
    }

    #[test]
    fn a_mutated_content_encoding_never_panics(
        content in arb_content(),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let mut bytes = content.to_bytes().to_vec();
        let i = at.index(bytes.len());
        bytes[i] = byte;
        if let Ok(back) = SealedContent::from_bytes(&bytes) {
            prop_assert_eq!(&back.to_bytes()[..], &bytes[..]);
        }
    }
}
