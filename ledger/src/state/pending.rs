use std::collections::{HashMap, HashSet};

use super::{NetworkInfo, OrgState, StateChange, StateError, StateView};
use crate::ids::OrgId;

/// Stored state plus the changes of a batch not yet written.
pub struct PendingState<'a, V: StateView + ?Sized> {
    base: &'a V,
    network: Option<NetworkInfo>,
    orgs: HashMap<OrgId, OrgState>,
    nonces: HashSet<(OrgId, u64)>,
    governance: Option<Vec<OrgId>>,
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
}
