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
