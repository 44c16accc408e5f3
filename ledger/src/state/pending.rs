use std::collections::{HashMap, HashSet};

use super::{
    NetworkInfo, OrgState, RetiredKey, StateChange, StateError, StateView, ValidatorEpoch,
};
use crate::carbon::{CertificateState, FactorState, FootprintState, RecordRef, RuleState};
use crate::ids::{OrgId, TxId};
use crate::tx::ObserverNode;

/// Carbon records changed by a batch (or held by a [`MemoryState`]).
#[derive(Default)]
pub struct CarbonRecords {
    /// Factor versions.
    pub factors: HashMap<RecordRef, FactorState>,
    /// Rule versions.
    pub rules: HashMap<RecordRef, RuleState>,
    /// Footprints.
    pub footprints: HashMap<TxId, FootprintState>,
    /// Certificates.
    pub certificates: HashMap<String, CertificateState>,
    /// (upstream, downstream) uses.
    pub footprint_uses: Vec<(TxId, TxId)>,
    /// (factor, footprint) uses.
    pub factor_uses: Vec<(RecordRef, TxId)>,
}

impl CarbonRecords {
    /// Applies one change if it is about carbon records; returns whether it was.
    fn apply(&mut self, change: &StateChange) -> bool {
        match change {
            StateChange::Factor(r, s) => {
                self.factors.insert(r.clone(), (**s).clone());
            }
            StateChange::Rule(r, s) => {
                self.rules.insert(r.clone(), (**s).clone());
            }
            StateChange::Footprint(id, s) => {
                self.footprints.insert(*id, (**s).clone());
            }
            StateChange::Certificate(id, s) => {
                self.certificates.insert(id.clone(), (**s).clone());
            }
            StateChange::UsesFootprint {
                upstream,
                downstream,
            } => {
                self.footprint_uses.push((*upstream, *downstream));
            }
            StateChange::UsesFactor { factor, footprint } => {
                self.factor_uses.push((factor.clone(), *footprint));
            }
            _ => return false,
        }
        true
    }
}

/// Stored state plus the changes of a batch not yet written.
pub struct PendingState<'a, V: StateView + ?Sized> {
    base: &'a V,
    network: Option<NetworkInfo>,
    orgs: HashMap<OrgId, OrgState>,
    nonces: HashSet<(OrgId, u64)>,
    governance: Option<Vec<OrgId>>,
    observers: Option<Vec<ObserverNode>>,
    validators: Option<Vec<ValidatorEpoch>>,
    retired_keys: HashMap<OrgId, Vec<RetiredKey>>,
    carbon: CarbonRecords,
    changes: Vec<StateChange>,
}

impl<'a, V: StateView + ?Sized> PendingState<'a, V> {
    /// No changes yet over `base`.
    pub fn new(base: &'a V) -> Self {
        Self {
            base,
            network: None,
            orgs: HashMap::new(),
            nonces: HashSet::new(),
            governance: None,
            observers: None,
            validators: None,
            retired_keys: HashMap::new(),
            carbon: CarbonRecords::default(),
            changes: Vec::new(),
        }
    }

    /// Applies the changes of one valid transaction.
    pub fn apply(&mut self, changes: Vec<StateChange>) {
        for change in &changes {
            match change {
                StateChange::Network(n) => self.network = Some(n.clone()),
                StateChange::Org(id, s) => {
                    self.orgs.insert(*id, s.clone());
                }
                StateChange::Nonce(id, n) => {
                    self.nonces.insert((*id, *n));
                }
                StateChange::Governance(g) => self.governance = Some(g.clone()),
                StateChange::Observers(o) => self.observers = Some(o.clone()),
                StateChange::Validators(v) => self.validators = Some(v.clone()),
                StateChange::RetiredKeys(id, keys) => {
                    self.retired_keys.insert(*id, keys.clone());
                }
                other => {
                    self.carbon.apply(other);
                }
            }
        }
        self.changes.extend(changes);
    }

    /// Every change applied, in order.
    pub fn into_changes(self) -> Vec<StateChange> {
        self.changes
    }
}

impl<V: StateView + ?Sized> StateView for PendingState<'_, V> {
    fn network(&self) -> Result<Option<NetworkInfo>, StateError> {
        match &self.network {
            Some(n) => Ok(Some(n.clone())),
            None => self.base.network(),
        }
    }
    fn org(&self, id: &OrgId) -> Result<Option<OrgState>, StateError> {
        match self.orgs.get(id) {
            Some(s) => Ok(Some(s.clone())),
            None => self.base.org(id),
        }
    }
    fn nonce_used(&self, org: &OrgId, nonce: u64) -> Result<bool, StateError> {
        Ok(self.nonces.contains(&(*org, nonce)) || self.base.nonce_used(org, nonce)?)
    }
    fn governance(&self) -> Result<Vec<OrgId>, StateError> {
        match &self.governance {
            Some(g) => Ok(g.clone()),
            None => self.base.governance(),
        }
    }
    fn observers(&self) -> Result<Vec<ObserverNode>, StateError> {
        match &self.observers {
            Some(o) => Ok(o.clone()),
            None => self.base.observers(),
        }
    }
    fn validator_epochs(&self) -> Result<Vec<ValidatorEpoch>, StateError> {
        match &self.validators {
            Some(v) => Ok(v.clone()),
            None => self.base.validator_epochs(),
        }
    }
    fn retired_keys(&self, org: &OrgId) -> Result<Vec<RetiredKey>, StateError> {
        match self.retired_keys.get(org) {
            Some(k) => Ok(k.clone()),
            None => self.base.retired_keys(org),
        }
    }
    fn factor(&self, r: &RecordRef) -> Result<Option<FactorState>, StateError> {
        match self.carbon.factors.get(r) {
            Some(s) => Ok(Some(s.clone())),
            None => self.base.factor(r),
        }
    }
    fn rule(&self, r: &RecordRef) -> Result<Option<RuleState>, StateError> {
        match self.carbon.rules.get(r) {
            Some(s) => Ok(Some(s.clone())),
            None => self.base.rule(r),
        }
    }
    fn footprint(&self, id: &TxId) -> Result<Option<FootprintState>, StateError> {
        match self.carbon.footprints.get(id) {
            Some(s) => Ok(Some(s.clone())),
            None => self.base.footprint(id),
        }
    }
    fn certificate(&self, id: &str) -> Result<Option<CertificateState>, StateError> {
        match self.carbon.certificates.get(id) {
            Some(s) => Ok(Some(s.clone())),
            None => self.base.certificate(id),
        }
    }
}

/// State held entirely in memory: for tests, the offline verifier and replaying a log.
#[derive(Default)]
pub struct MemoryState {
    /// Genesis facts.
    pub network: Option<NetworkInfo>,
    /// Organisations by id.
    pub orgs: HashMap<OrgId, OrgState>,
    /// Used nonces.
    pub nonces: HashSet<(OrgId, u64)>,
    /// The governance set.
    pub governance: Vec<OrgId>,
    /// Observer nodes, in registration order.
    pub observers: Vec<ObserverNode>,
    /// The validator set history.
    pub validators: Vec<ValidatorEpoch>,
    /// Retired keys by organisation.
    pub retired_keys: HashMap<OrgId, Vec<RetiredKey>>,
    /// Factors, rules, footprints, certificates and their use indexes.
    pub carbon: CarbonRecords,
}

impl MemoryState {
    /// Applies changes in order.
    pub fn apply(&mut self, changes: Vec<StateChange>) {
        for change in changes {
            match change {
                StateChange::Network(n) => self.network = Some(n),
                StateChange::Org(id, s) => {
                    self.orgs.insert(id, s);
                }
                StateChange::Nonce(id, n) => {
                    self.nonces.insert((id, n));
                }
                StateChange::Governance(g) => self.governance = g,
                StateChange::Observers(o) => self.observers = o,
                StateChange::Validators(v) => self.validators = v,
                StateChange::RetiredKeys(id, keys) => {
                    self.retired_keys.insert(id, keys);
                }
                other => {
                    self.carbon.apply(&other);
                }
            }
        }
    }
}

impl StateView for MemoryState {
    fn network(&self) -> Result<Option<NetworkInfo>, StateError> {
        Ok(self.network.clone())
    }
    fn org(&self, id: &OrgId) -> Result<Option<OrgState>, StateError> {
        Ok(self.orgs.get(id).cloned())
    }
    fn nonce_used(&self, org: &OrgId, nonce: u64) -> Result<bool, StateError> {
        Ok(self.nonces.contains(&(*org, nonce)))
    }
    fn governance(&self) -> Result<Vec<OrgId>, StateError> {
        Ok(self.governance.clone())
    }
    fn observers(&self) -> Result<Vec<ObserverNode>, StateError> {
        Ok(self.observers.clone())
    }
    fn validator_epochs(&self) -> Result<Vec<ValidatorEpoch>, StateError> {
        Ok(self.validators.clone())
    }
    fn retired_keys(&self, org: &OrgId) -> Result<Vec<RetiredKey>, StateError> {
        Ok(self.retired_keys.get(org).cloned().unwrap_or_default())
    }
    fn factor(&self, r: &RecordRef) -> Result<Option<FactorState>, StateError> {
        Ok(self.carbon.factors.get(r).cloned())
    }
    fn rule(&self, r: &RecordRef) -> Result<Option<RuleState>, StateError> {
        Ok(self.carbon.rules.get(r).cloned())
    }
    fn footprint(&self, id: &TxId) -> Result<Option<FootprintState>, StateError> {
        Ok(self.carbon.footprints.get(id).cloned())
    }
    fn certificate(&self, id: &str) -> Result<Option<CertificateState>, StateError> {
        Ok(self.carbon.certificates.get(id).cloned())
    }
}
