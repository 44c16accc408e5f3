//! The swarm's composite behaviour: gate first, then gossip and sync.

use libp2p::gossipsub::{self, MessageAuthenticity, MessageId, ValidationMode};
use libp2p::identity::Keypair;
use libp2p::request_response::{self, ProtocolSupport};
use libp2p::swarm::NetworkBehaviour;

use super::codec::{SyncCodec, SYNC_PROTOCOL};
use super::gating::Gate;
use super::{P2pConfig, P2pError};

/// Bytes a gossipsub RPC adds around a payload (topic, author key,
/// signature, sequence number, protobuf framing), allowed on top of
/// [`P2pConfig::max_gossip_size`] for gossipsub's own transmit limit.
pub(crate) const GOSSIP_ENVELOPE: usize = 1024;

/// The field order matters: the derived `handle_established_*` calls the
/// fields in order and stops at the first denial, so the gate decides before
/// gossipsub or request-response ever see a connection.
#[derive(NetworkBehaviour)]
pub(crate) struct Behaviour {
    pub(crate) gate: Gate,
    pub(crate) gossipsub: gossipsub::Behaviour,
    pub(crate) sync: request_response::Behaviour<SyncCodec>,
}

/// A gossip message's id: BLAKE3 of its payload.
pub(crate) fn message_id(data: &[u8]) -> MessageId {
    MessageId::new(blake3::hash(data).as_bytes())
}

impl Behaviour {
    pub(crate) fn new(key: &Keypair, config: &P2pConfig) -> Result<Self, P2pError> {
        let gossip_config = gossipsub::ConfigBuilder::default()
            .validation_mode(ValidationMode::Strict)
            .validate_messages()
            .max_transmit_size(config.max_gossip_size.saturating_add(GOSSIP_ENVELOPE))
            .message_id_fn(|m: &gossipsub::Message| message_id(&m.data))
            .heartbeat_interval(config.heartbeat_interval)
            .build()
            .map_err(|e| P2pError::Config(format!("gossipsub: {e}")))?;
        let gossipsub =
            gossipsub::Behaviour::new(MessageAuthenticity::Signed(key.clone()), gossip_config)
                .map_err(|e| P2pError::Config(format!("gossipsub: {e}")))?;
        let codec = SyncCodec {
            max_request: config.max_request_size,
            max_response: config.max_response_size,
        };
        let sync = request_response::Behaviour::with_codec(
            codec,
            [(SYNC_PROTOCOL, ProtocolSupport::Full)],
            request_response::Config::default().with_request_timeout(config.request_timeout),
        );
        Ok(Self {
            gate: Gate::new(
                config.allowed.clone(),
                config.max_connections_per_peer,
                config.reconnect_grace,
            ),
            gossipsub,
            sync,
        })
    }
}
