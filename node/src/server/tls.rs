//! HTTPS for the PACT host: rustls over tokio, with the certificate chain
//! and key from PEM files, and a development certificate authority and
//! server certificate made on first start for `dev`, `devnet` and the demo.
//!
//! The listener admits each connection against the node's connection caps
//! ([`ConnLimiter`]) before its handshake, so one client cannot hold more
//! than its share of handshakes or connections, and completes TLS
//! handshakes off the accept loop (each in its own task, bounded in time and
//! number), so a client that connects and stalls, or speaks plain HTTP,
//! holds up nobody: its handshake fails and the connection is closed without
//! an HTTP answer.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context as _, Result};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Semaphore};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

use super::conns::{ConnLimiter, ConnPermit};

/// Longest a TLS handshake may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Most handshakes in progress at once; further connections wait to be accepted.
const MAX_HANDSHAKES: usize = 256;

/// A server certificate chain and its private key, as PEM files.
#[derive(Clone, Debug)]
pub struct TlsFiles {
    /// The certificate chain, leaf first.
    pub cert: PathBuf,
    /// The leaf's private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// The development certificate authority and the server certificate it
/// signed, kept in one folder.
#[derive(Clone, Debug)]
pub struct DevCertificate {
    /// The authority's certificate: what clients trust (`--cacert`).
    pub ca_cert: PathBuf,
    /// The server's certificate and key.
    pub files: TlsFiles,
}

/// The development certificate in `dir` (`ca.pem`, `cert.pem`, `key.pem`),
/// made on first use: an authority of its own (its key is not kept, so it
/// signs nothing else) and a server certificate for `localhost`,
/// `127.0.0.1` and `::1`. Existing files are reused, so clients keep
/// trusting the same authority across restarts.
pub fn dev_certificate(dir: &Path) -> Result<DevCertificate> {
    let dev = DevCertificate {
        ca_cert: dir.join("ca.pem"),
        files: TlsFiles {
            cert: dir.join("cert.pem"),
            key: dir.join("key.pem"),
        },
    };
    if dev.ca_cert.exists() && dev.files.cert.exists() && dev.files.key.exists() {
        return Ok(dev);
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Constrained(0));
    ca_params.distinguished_name.push(
        rcgen::DnType::CommonName,
        "Tanji development CA (PACT host)",
    );
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
    ];
    let ca_key = rcgen::KeyPair::generate()?;
    let ca = ca_params.self_signed(&ca_key)?;

    let mut params = rcgen::CertificateParams::new(vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ])?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Tanji PACT host (development)");
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let key = rcgen::KeyPair::generate()?;
    let cert = params.signed_by(&key, &ca, &ca_key)?;

    write_private(&dev.files.key, key.serialize_pem().as_bytes())?;
    // The chain: leaf, then the authority (clients that trust it need only the leaf).
    std::fs::write(&dev.files.cert, format!("{}{}", cert.pem(), ca.pem()))
        .with_context(|| format!("writing {}", dev.files.cert.display()))?;
    std::fs::write(&dev.ca_cert, ca.pem())
        .with_context(|| format!("writing {}", dev.ca_cert.display()))?;
    tracing::info!(ca = %dev.ca_cert.display(), "made a development certificate for the PACT host");
    Ok(dev)
}

/// Writes a secret readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write as _;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    opts.mode(0o600);
    let mut f = opts
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    f.write_all(bytes)?;
    Ok(())
}

/// A rustls server configuration from PEM files (HTTP/1.1 by ALPN).
pub fn server_config(files: &TlsFiles) -> Result<Arc<rustls::ServerConfig>> {
    let certs = CertificateDer::pem_file_iter(&files.cert)
        .with_context(|| format!("reading {}", files.cert.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("{}: not PEM certificates", files.cert.display()))?;
    if certs.is_empty() {
        bail!("{}: no certificate", files.cert.display());
    }
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .with_context(|| format!("{}: no PEM private key", files.key.display()))?;
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .context("the certificate and key do not match or are unusable")?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// A TCP listener whose connections come out TLS-terminated, each with its
/// place in the connection caps.
pub struct TlsListener {
    incoming: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr, ConnPermit)>,
    local: SocketAddr,
}

impl TlsListener {
    /// Starts accepting on `tcp` with `config` within `conns`' caps;
    /// handshakes run in their own tasks and stop when the listener is
    /// dropped.
    pub fn new(
        tcp: TcpListener,
        config: Arc<rustls::ServerConfig>,
        conns: Arc<ConnLimiter>,
    ) -> Result<Self> {
        let local = tcp.local_addr()?;
        let (tx, incoming) = mpsc::channel(64);
        let acceptor = TlsAcceptor::from(config);
        let permits = Arc::new(Semaphore::new(MAX_HANDSHAKES));
        tokio::spawn(async move {
            loop {
                let Ok(permit) = permits.clone().acquire_owned().await else {
                    return;
                };
                let slot = tokio::select! {
                    _ = tx.closed() => return,
                    slot = conns.slot() => slot,
                };
                let (stream, peer) = tokio::select! {
                    _ = tx.closed() => return,
                    accepted = tcp.accept() => match accepted {
                        Ok(a) => a,
                        Err(e) => {
                            // Out of file descriptors and the like: wait, do not spin.
                            tracing::warn!(error = %e, "PACT listener: accept failed");
                            tokio::time::sleep(Duration::from_millis(100)).await;
                            continue;
                        }
                    },
                };
                let admitted = match conns.admit(slot, peer.ip()) {
                    Ok(admitted) => admitted,
                    Err(why) => {
                        tracing::debug!(%peer, "{why}: closing the new PACT host connection");
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let acceptor = acceptor.clone();
                let tx = tx.clone();
                tokio::spawn(async move {
                    let _permit = permit;
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _ = tx.send((tls, peer, admitted)).await;
                        }
                        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(Self { incoming, local })
    }

    /// The next TLS-terminated connection, its peer and its permit.
    pub async fn accept(&mut self) -> (TlsStream<TcpStream>, SocketAddr, ConnPermit) {
        match self.incoming.recv().await {
            Some(conn) => conn,
            // The accept task only ends once this listener is gone.
            None => std::future::pending().await,
        }
    }

    /// The address it listens at.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_certificate_is_made_once_and_loads() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = dev_certificate(dir.path()).expect("make");
        let ca = std::fs::read(&first.ca_cert).expect("ca");
        server_config(&first.files).expect("config");
        let again = dev_certificate(dir.path()).expect("reuse");
        assert_eq!(std::fs::read(&again.ca_cert).expect("ca"), ca);
    }

    #[test]
    fn unusable_files_are_refused_with_their_name() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cert = dir.path().join("cert.pem");
        std::fs::write(&cert, "not a certificate").expect("write");
        let files = TlsFiles {
            cert: cert.clone(),
            key: dir.path().join("missing.pem"),
        };
        let e = format!("{:#}", server_config(&files).expect_err("refused"));
        assert!(e.contains("cert.pem"), "{e}");
    }
}
