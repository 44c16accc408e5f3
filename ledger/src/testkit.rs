//! Deterministic networks and transactions for tests and benchmarks.
//!
//! Keys derive from fixed seeds, so ids, encodings and signatures built here
//! are stable across runs (golden tests rely on that). Not for production keys:
//! the module exists only in this crate's own tests and with the `test-utils`
//! feature, which other crates enable in their `[dev-dependencies]` only.

use crate::carbon::{
    Attestation, Boundary, Dqr, Gwp, Input, InputSource, Privacy, Product, Results, Stage,
};
use crate::checkpoint::NoteSigner;
use crate::crypto::{EncryptionSecret, SecretKey};
use crate::keyfile::OrgKeyFile;
use crate::tx::{Genesis, ObserverNode, Role, Roles, SignedTx, TxBody, TxKind, ValidatorNode};

/// An organisation with keys derived from `seed`.
pub fn org(seed: u8, name: &str, company_id: &str, roles: &[Role]) -> OrgKeyFile {
    let signing = SecretKey::from_seed(&[seed; 32]);
    let encryption = EncryptionSecret::from_bytes([seed.wrapping_add(128); 32]);
    let roles: Roles = roles.iter().copied().collect();
    OrgKeyFile::from_secrets(name, company_id, roles, &signing, &encryption)
}

/// A small network: one regulator, one operator running one validator node.
pub struct TestNet {
    /// Network name.
    pub network: String,
    /// A regulator.
    pub regulator: OrgKeyFile,
    /// The validator operator.
    pub operator: OrgKeyFile,
    /// The validator node's checkpoint signer.
    pub node: NoteSigner,
}

impl Default for TestNet {
    fn default() -> Self {
        Self::new()
    }
}

impl TestNet {
    /// The standard test network.
    pub fn new() -> Self {
        Self {
            network: "test.tanji.local".into(),
            regulator: org(
                1,
                "Test Regulator",
                "urn:uscc:11110000000000001A",
                &[Role::Regulator],
            ),
            operator: org(
                2,
                "Test Operator",
                "urn:uscc:91110000000000002B",
                &[Role::Validator],
            ),
            node: NoteSigner {
                name: "validator-0".into(),
                key: SecretKey::from_seed(&[3; 32]),
            },
        }
    }

    /// A supplier with keys from `seed` (use seeds ≥ 10).
    pub fn supplier(&self, seed: u8) -> OrgKeyFile {
        org(
            seed,
            &format!("Supplier {seed}"),
            &format!("urn:uscc:9111000000000{seed:05}"),
            &[Role::Supplier],
        )
    }

    /// The genesis entry.
    pub fn genesis(&self) -> SignedTx {
        let body = TxBody {
            network: self.network.clone(),
            author: self.regulator.org_id,
            nonce: 0,
            kind: TxKind::Genesis(Genesis {
                orgs: vec![self.regulator.record(), self.operator.record()],
                validators: vec![ValidatorNode {
                    operator: self.operator.org_id,
                    name: self.node.name.clone(),
                    key: self.node.key.public(),
                }],
            }),
        };
        SignedTx::sign(
            body,
            &[
                (self.regulator.org_id, &key(&self.regulator)),
                (self.operator.org_id, &key(&self.operator)),
            ],
        )
    }

    /// `org`'s registration, approved by both governance members.
    pub fn register(&self, org: &OrgKeyFile) -> SignedTx {
        let body = TxBody {
            network: self.network.clone(),
            author: org.org_id,
            nonce: 0,
            kind: TxKind::RegisterOrg(org.record()),
        };
        let mut tx = SignedTx::sign(body, &[(org.org_id, &key(org))]);
        tx.approve(self.regulator.org_id, &key(&self.regulator));
        tx.approve(self.operator.org_id, &key(&self.operator));
        tx
    }

    /// A governance transaction authored by the regulator and approved by the
    /// operator (a quorum of the standard network's two members).
    pub fn governance(&self, nonce: u64, kind: TxKind) -> SignedTx {
        let body = TxBody {
            network: self.network.clone(),
            author: self.regulator.org_id,
            nonce,
            kind,
        };
        SignedTx::sign(
            body,
            &[
                (self.regulator.org_id, &key(&self.regulator)),
                (self.operator.org_id, &key(&self.operator)),
            ],
        )
    }

    /// A validator node run by the operator, with its key from `seed` (use seeds ≥ 100).
    pub fn validator(&self, seed: u8, name: &str) -> ValidatorNode {
        ValidatorNode {
            operator: self.operator.org_id,
            name: name.to_string(),
            key: SecretKey::from_seed(&[seed; 32]).public(),
        }
    }

    /// An observer node run by the regulator, with its key from `seed` (use seeds ≥ 100).
    pub fn observer(&self, seed: u8, name: &str) -> ObserverNode {
        ObserverNode {
            operator: self.regulator.org_id,
            name: name.to_string(),
            key: SecretKey::from_seed(&[seed; 32]).public(),
        }
    }

    /// `kind` authored and signed by `org` alone, on this network.
    pub fn signed(&self, org: &OrgKeyFile, nonce: u64, kind: TxKind) -> SignedTx {
        let body = TxBody {
            network: self.network.clone(),
            author: org.org_id,
            nonce,
            kind,
        };
        SignedTx::sign(body, &[(org.org_id, &key(org))])
    }

    /// An evidence anchor by `org`.
    pub fn anchor(&self, org: &OrgKeyFile, nonce: u64, label: &str) -> SignedTx {
        self.signed(
            org,
            nonce,
            TxKind::AnchorEvidence {
                digest: *blake3::hash(label.as_bytes()).as_bytes(),
                label: label.to_string(),
            },
        )
    }
}

/// The signing key of a key file built here (always valid).
pub fn key(org: &OrgKeyFile) -> SecretKey {
    SecretKey::from_seed(&crate::crypto::decode_hex_32(&org.signing_secret).unwrap_or([0; 32]))
}

/// A ledger in memory, advanced through the real acceptance rules
/// ([`crate::validate::check`] on a [`crate::state::MemoryState`]), with the
/// [`TestNet`] genesis applied: for tests and benchmarks of whole chains.
pub struct MemoryLedger {
    /// The network (its regulator and operator are governance).
    pub net: TestNet,
    /// The state so far.
    pub state: crate::state::MemoryState,
    index: u64,
    nonce: u64,
}

impl Default for MemoryLedger {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryLedger {
    /// The standard test network, with its genesis applied.
    pub fn new() -> Self {
        let mut ledger = MemoryLedger {
            net: TestNet::new(),
            state: crate::state::MemoryState::default(),
            index: 0,
            nonce: 1,
        };
        let genesis = ledger.net.genesis();
        if let Err(e) = ledger.apply(&genesis) {
            unreachable!("the test genesis is valid: {e}");
        }
        ledger
    }

    /// Checks `tx` against the state and applies it as the next entry.
    pub fn apply(&mut self, tx: &SignedTx) -> Result<crate::TxId, crate::validate::TxError> {
        let accepted = crate::validate::check(&self.state, tx, self.index, &[])?;
        self.state.apply(accepted.changes);
        self.index += 1;
        Ok(tx.id())
    }

    /// The next log index.
    pub fn next_index(&self) -> u64 {
        self.index
    }

    /// A transaction by `org` alone, with a fresh nonce.
    pub fn signed(&mut self, org: &OrgKeyFile, kind: TxKind) -> SignedTx {
        self.nonce += 1;
        let body = TxBody {
            network: self.net.network.clone(),
            author: org.org_id,
            nonce: self.nonce,
            kind,
        };
        SignedTx::sign(body, &[(org.org_id, &key(org))])
    }

    /// Registers an organisation with keys from `seed` (≥ 10) and `roles`.
    pub fn register(&mut self, seed: u8, roles: &[Role]) -> OrgKeyFile {
        let org = org(
            seed,
            &format!("Org {seed}"),
            &format!("urn:uscc:9111000000000{seed:05}"),
            roles,
        );
        let tx = self.net.register(&org);
        if let Err(e) = self.apply(&tx) {
            panic!("registering test org {seed}: {e}");
        }
        org
    }

    /// Publishes a factor (µg per `unit`, per category), valid 2023–2027.
    pub fn publish_factor(
        &mut self,
        publisher: &OrgKeyFile,
        reference: &str,
        unit: &str,
        ug: [i64; 5],
    ) {
        let record = factor_record(reference, unit, ug);
        let tx = self.signed(publisher, TxKind::PublishFactor(record));
        if let Err(e) = self.apply(&tx) {
            panic!("publishing test factor {reference}: {e}");
        }
    }

    /// Reads the state as the ledger's rules do.
    pub fn resolver(&self) -> crate::validate::ViewResolver<'_, crate::state::MemoryState> {
        crate::validate::ViewResolver(&self.state)
    }

    /// Builds the hidden attestation of `att` (an attestation as
    /// [`hidden_attestation`] gives it: amounts in, results empty) by `org`
    /// on `openings` with [`crate::carbon::hidden::build_hidden`], and signs
    /// it; not applied.
    pub fn hidden_tx(
        &mut self,
        org: &OrgKeyFile,
        att: Attestation,
        openings: &crate::carbon::hidden::UpstreamOpenings,
        publish: bool,
    ) -> (SignedTx, crate::carbon::hidden::HiddenBuild) {
        let build = crate::carbon::hidden::build_hidden(
            &self.net.network,
            org.org_id,
            att,
            &self.resolver(),
            openings,
            publish,
        )
        .expect("the hidden attestation builds");
        let tx = self.signed(org, TxKind::AttestFootprint(build.attestation.clone()));
        (tx, build)
    }
}

/// A factor record (µg per `unit`, per category), valid 2023–2027, region CN.
pub fn factor_record(reference: &str, unit: &str, ug: [i64; 5]) -> crate::carbon::FactorRecord {
    let date = |y: i32| crate::carbon::Date::from_ymd(y, 1, 1).expect("valid date");
    crate::carbon::FactorRecord {
        reference: reference.parse().expect("a valid factor reference"),
        name: format!("factor {reference}"),
        unit: unit.into(),
        values: crate::carbon::PerCategory(ug),
        gwp: None,
        region: "CN".into(),
        valid_from: date(2023),
        valid_until: date(2027),
        source: "test".into(),
        notes: String::new(),
        dqr: crate::carbon::Dqr {
            technological: 2,
            temporal: 2,
            geographical: 2,
            completeness: 2,
            reliability: 2,
        },
        supersedes: None,
    }
}

/// A `privacy = "hidden"` model file (category `urn:cpc:41532`, 2025, CN-CQ,
/// AR6) with the given `[[input]]` tables. [`hidden_attestation`] is the
/// attestation such a file describes, before it is proved.
pub fn hidden_model(name: &str, unit: &str, inputs: &str) -> String {
    format!(
        r#"
[product]
ids = ["urn:gtin:0690000000{n:04}"]
name = "{name}"
category = "urn:cpc:41532"
declared_unit = "{unit}"
declared_unit_amount = "1"
mass_kg = "1"
boundary = "cradle-to-gate"
period = {{ start = "2025-01-01", end = "2026-01-01" }}
geography = "CN-CQ"
gwp = "AR6"
privacy = "hidden"
{inputs}
"#,
        n = name.len()
    )
}

/// The attestation of [`hidden_model`]`(name, unit, ..)` with `inputs`, as a
/// model file's author builds it before proving it: privacy still `Public`,
/// amounts in, results zero (one `unit` per declared unit, 1 kg, cradle to
/// gate, 2025, CN-CQ, AR6, data-quality ratings 3).
pub fn hidden_attestation(name: &str, unit: &str, inputs: Vec<Input>) -> Attestation {
    let date = |y: i32| crate::carbon::Date::from_ymd(y, 1, 1).expect("valid date");
    Attestation {
        product: Product {
            ids: vec![format!("urn:gtin:0690000000{:04}", name.len())],
            name: name.to_string(),
            category: "urn:cpc:41532".into(),
            mass_mg: 1_000_000,
            carbon: None,
        },
        rule: None,
        declared_unit: unit.to_string(),
        declared_unit_amount: 1_000_000,
        boundary: Boundary::CradleToGate,
        period_start: date(2025),
        period_end: date(2026),
        geography: "CN-CQ".into(),
        gwp: Gwp::Ar6,
        privacy: Privacy::Public,
        inputs,
        results: Results::default(),
        primary_data_share_bp: 0,
        dqr: Dqr {
            technological: 3,
            temporal: 3,
            geographical: 3,
            completeness: 3,
            reliability: 3,
        },
        supersedes: None,
    }
}

/// An input of `micro_units` of `unit` per declared unit from a factor
/// (`"id@version"`), at `stage`, not packaging.
pub fn factor_input(reference: &str, unit: &str, micro_units: u64, stage: Stage) -> Input {
    Input {
        source: InputSource::Factor(reference.parse().expect("a valid factor reference")),
        stage,
        unit: unit.to_string(),
        amount: Some(micro_units),
        packaging: false,
    }
}

/// An input of `micro_units` of an upstream footprint's declared unit `unit`
/// per declared unit, at `stage`.
pub fn upstream_input(id: crate::TxId, unit: &str, micro_units: u64, stage: Stage) -> Input {
    Input {
        source: InputSource::Upstream(id),
        stage,
        unit: unit.to_string(),
        amount: Some(micro_units),
        packaging: false,
    }
}

/// A three-tier supply chain with every value hidden, as a [`MemoryLedger`]
/// holds it: an aluminium ingot (supplier), a laptop housing made of 0.42 kg
/// of it (maker), and a laptop using the housing (brand), each tier proved on
/// its supplier's opening. The laptop's attestation is signed but not yet
/// applied (so a test or bench can check it against the state before it).
///
/// Factors: `elec@1` 620.5 g fossil per kWh; `alumina@1` 1.333333 g fossil
/// and 2 mg land-use per kg; `box@1` 0.8 g fossil, 0.25 g biogenic, −1.3 g
/// removals per kg. Ingot: 14.3 kWh + 1.93 kg alumina; housing: 0.42 kg
/// ingot + 2.5 kWh; laptop: 1 housing + 35.2 kWh + 0.35 kg box (packaging).
pub struct HiddenChain {
    /// The ledger, with the ingot and the housing applied.
    pub ledger: MemoryLedger,
    /// The ingot's producer.
    pub supplier: OrgKeyFile,
    /// The housing's producer (the ingot's customer).
    pub maker: OrgKeyFile,
    /// The laptop's producer (the housing's customer).
    pub brand: OrgKeyFile,
    /// The ingot: id and secrets.
    pub ingot: (crate::TxId, crate::carbon::hidden::HiddenBuild),
    /// The housing: id and secrets.
    pub housing: (crate::TxId, crate::carbon::hidden::HiddenBuild),
    /// The laptop's attestation, signed, not applied.
    pub laptop_tx: SignedTx,
    /// The laptop's secrets.
    pub laptop: crate::carbon::hidden::HiddenBuild,
}

/// Builds [`HiddenChain`].
pub fn hidden_chain() -> HiddenChain {
    use crate::carbon::hidden::UpstreamOpenings;
    use Stage::{Production, RawMaterials};
    let mut ledger = MemoryLedger::new();
    let publisher = ledger.register(10, &[Role::FactorPublisher]);
    let supplier = ledger.register(11, &[Role::Supplier]);
    let maker = ledger.register(12, &[Role::Supplier]);
    let brand = ledger.register(13, &[Role::Supplier]);
    ledger.publish_factor(&publisher, "elec@1", "kWh", [620_500_000, 0, 0, 0, 0]);
    ledger.publish_factor(
        &publisher,
        "alumina@1",
        "kilogram",
        [1_333_333, 0, 0, 2_000, 0],
    );
    ledger.publish_factor(
        &publisher,
        "box@1",
        "kilogram",
        [800_000, 250_000, -1_300_000, 0, 0],
    );
    let (tx, ingot) = ledger.hidden_tx(
        &supplier,
        hidden_attestation(
            "Aluminium ingot",
            "kilogram",
            vec![
                factor_input("elec@1", "kWh", 14_300_000, Production),
                factor_input("alumina@1", "kilogram", 1_930_000, RawMaterials),
            ],
        ),
        &UpstreamOpenings::new(),
        false,
    );
    let ingot = (apply_or_panic(&mut ledger, &tx), ingot);
    let (tx, housing) = ledger.hidden_tx(
        &maker,
        hidden_attestation(
            "Laptop housing",
            "piece",
            vec![
                upstream_input(ingot.0, "kilogram", 420_000, RawMaterials),
                factor_input("elec@1", "kWh", 2_500_000, Production),
            ],
        ),
        &UpstreamOpenings::from([(ingot.0, ingot.1.opening.clone())]),
        false,
    );
    let housing = (apply_or_panic(&mut ledger, &tx), housing);
    let box_input = Input {
        packaging: true,
        ..factor_input("box@1", "kilogram", 350_000, Production)
    };
    let (laptop_tx, laptop) = ledger.hidden_tx(
        &brand,
        hidden_attestation(
            "Laptop",
            "piece",
            vec![
                upstream_input(housing.0, "piece", 1_000_000, RawMaterials),
                factor_input("elec@1", "kWh", 35_200_000, Production),
                box_input,
            ],
        ),
        &UpstreamOpenings::from([(housing.0, housing.1.opening.clone())]),
        false,
    );
    HiddenChain {
        ledger,
        supplier,
        maker,
        brand,
        ingot,
        housing,
        laptop_tx,
        laptop,
    }
}

fn apply_or_panic(ledger: &mut MemoryLedger, tx: &SignedTx) -> crate::TxId {
    match ledger.apply(tx) {
        Ok(id) => id,
        Err(e) => panic!("the test chain's transaction is refused: {e}"),
    }
}
