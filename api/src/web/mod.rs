//! The web pages people see: the carbon label (碳标识) as SVG, and the
//! bilingual verification page its QR code leads to.
//!
//! Everything here is a pure function from plain view data ([`view`]) to a
//! finished document; the routes read the ledger, run the checks and fill the
//! views. No I/O, no templates, no external resources: the pages must work
//! on a closed network and print as they look.
//!
//! - [`render_label_svg`]: the label, a standalone 600×360 SVG with a QR code
//!   of the verification URL and a status band when not valid.
//! - [`render_verify_page`]: the verification page (verdict, label, checks,
//!   emission categories and stages, supply-chain tree, checkpoint, offline
//!   bundle download).
//! - [`render_not_found_page`]: the page for an unknown certificate number.
//!
//! All text from the views is escaped (see `html`); control characters and
//! bidirectional overrides are removed.

mod html;
pub mod label;
pub mod page;
mod qr;
pub mod view;

pub use label::{render_label_svg, LABEL_HEIGHT, LABEL_WIDTH};
pub use page::{render_not_found_page, render_verify_page};
pub use view::{Check, LabelStatus, LabelView, TreeNode, VerifyPageView};

/// Content type for [`render_label_svg`]'s output.
pub const SVG_CONTENT_TYPE: &str = "image/svg+xml; charset=utf-8";
/// Content type for the pages.
pub const HTML_CONTENT_TYPE: &str = "text/html; charset=utf-8";
/// A `Content-Security-Policy` for the pages and the label: they need
/// nothing but their own inline styles, so everything else is refused (a
/// second line of defence behind escaping).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
