//! PACT client credentials: what an organisation sends and gets back when it
//! creates, lists and revokes the credentials its PACT partners use at the
//! node's PACT host (`/auth/token`). Every request is signed with the
//! organisation's ledger key (the headers of [`crate::privacy`]).

use serde::{Deserialize, Serialize};
use tanji_ledger::ids::OrgId;
use utoipa::ToSchema;

/// Body of `POST /v1/pact/clients`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PactClientCreate {
    /// What the credential is for (e.g. the partner's name); at most 200
    /// printable characters.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub label: String,
}

/// A credential as listed: never its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PactClientInfo {
    /// The OAuth client id (32 hex digits).
    pub client_id: String,
    /// The organisation the credential acts for.
    pub org: OrgId,
    /// Its label.
    pub label: String,
    /// When it was created, Unix seconds.
    pub created: u64,
}

/// Answer to `POST /v1/pact/clients`: the secret, shown this once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PactClientCreated {
    /// The credential.
    #[serde(flatten)]
    pub client: PactClientInfo,
    /// The OAuth client secret. The node keeps only a salted hash: store it
    /// now, it cannot be shown again.
    pub client_secret: String,
}

/// Answer to `GET /v1/pact/clients`: the signer's credentials, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PactClients {
    /// The credentials.
    pub clients: Vec<PactClientInfo>,
}

/// Answer to `DELETE /v1/pact/clients/{client_id}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PactClientRevoked {
    /// The credential revoked: tokens issued to it no longer work.
    pub client_id: String,
}

/// Body of `PUT /v1/pact/callbacks`: where the signer's PACT host is, and
/// the client credentials it gave this node for sending answers there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PactCallbackSet {
    /// The host's base URL: the `source` of the events it sends (HTTPS; plain
    /// `http://127.0.0.1:PORT` is used only by nodes that allow it).
    #[schema(max_length = 2048)]
    pub base_url: String,
    /// Client id at that host.
    #[schema(max_length = 512)]
    pub client_id: String,
    /// Client secret at that host (kept as given: the node presents it).
    #[schema(max_length = 512)]
    pub client_secret: String,
    /// The PACT version (2 or 3) of the Published events the host takes;
    /// default 3. Answers to requests always use the request's version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 2, maximum = 3)]
    pub published_version: Option<u8>,
}

/// A registered host, as listed: never its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PactCallbackInfo {
    /// Its id (for removal).
    pub id: String,
    /// The organisation whose host it is.
    pub org: OrgId,
    /// The base URL, normalised.
    pub base_url: String,
    /// The client id the node authenticates with.
    pub client_id: String,
    /// The PACT version of the Published events it is sent.
    pub published_version: u8,
}

/// Answer to `GET /v1/pact/callbacks`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PactCallbacks {
    /// The signer's registered hosts.
    pub callbacks: Vec<PactCallbackInfo>,
}

/// A PACT event a partner's host sent the signer, as its inbox lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PactInboxEvent {
    /// When the node received it, Unix seconds.
    pub received: u64,
    /// The CloudEvent as the partner sent it (Published, RequestFulfilled
    /// or RequestRejected).
    #[schema(value_type = Object)]
    pub event: serde_json::Value,
}

/// Answer to `GET /v1/pact/inbox`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PactInbox {
    /// The public URL of this node's PACT host, if it serves one: the
    /// `source` the signer's requests name, where partners send answers.
    pub pact_url: Option<String>,
    /// The newest events, at most 1 000, oldest first.
    pub events: Vec<PactInboxEvent>,
}
