//! The web platform (一站式服务平台): the single-page application built from
//! `web/` and embedded in the binary, served at `/` by every node, validator
//! or observer.
//!
//! - [`assets`]: the embedded files and their content types.
//! - [`serve`]: the fallback that serves them, with history-mode URLs
//!   (`/footprints/{id}`, `/orgs/{id}`, ...) answered by `index.html`.
//! - [`cors`]: which other origins may read the API from a browser (a
//!   platform pointed at a second node to cross-check its checkpoint).
//!
//! Invariants: the API's own paths (`/v1/...`, `/openapi.json`, `/health`,
//! `/metrics`, `/verify/...`, `/pact/...`) are never answered with the
//! application; an unknown API path stays a JSON 404. The application needs
//! nothing from outside the node (no CDN), and its content security policy
//! says so.

pub mod assets;
pub mod cors;
pub(crate) mod serve;

pub use cors::{cors_layer, CorsOrigins};
