//! Local development networks: everything `tanji-node dev` and
//! `tanji-node devnet` set up on one machine, and the demo data either can
//! load. Nothing here runs in a production node (`tanji-node run`), except
//! the data-folder file names of [`dev`] it shares.
//!
//! - [`dev`]: a single-node network (solo ordering): its data folder,
//!   genesis, founders' keys, and the demo organisations' registration.
//! - [`devnet`]: a replicated network of `tanji-node run` processes on
//!   127.0.0.1: keys, genesis, node configs, starting and stopping them.
//! - [`demo`]: the demo laptop supply chain (factors, rule, footprints,
//!   certificate), loaded into a dev node's store or through a node's API.
//! - [`orgs`]: the demo organisations, loading or creating key files, and
//!   the governance-approved registration transaction that the others share.
//!
//! Dependencies point one way: `dev` uses `demo` and `orgs`; `demo` uses
//! `orgs`; `devnet` uses `orgs` and `dev`'s file names. `demo` never imports
//! `dev` (its tests aside): a demo load writes through the
//! [`demo::DemoLedger`] trait, whatever holds the ledger.

pub mod demo;
pub mod dev;
pub mod devnet;
pub mod orgs;
