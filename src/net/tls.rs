//! Which certificate authorities `wss://` and `https://` connections trust, and the rustls
//! configuration built from them.

use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;

use super::ConnectError;

/// Which certificate authorities `wss://` and `https://` connections trust.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum TlsRoots {
    /// The operating system's trust store.
    #[default]
    System,
    /// Only these PEM-encoded certificates (a private CA, or a self-signed server certificate).
    Pem(Vec<u8>),
    /// The operating system's store plus these PEM certificates.
    SystemAndPem(Vec<u8>),
}

/// The one crypto provider of every TLS connection the library makes (websockets and HTTP).
pub(super) fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn pem_certs(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, ConnectError> {
    let certs: Result<Vec<_>, _> = CertificateDer::pem_slice_iter(pem).collect();
    match certs {
        Ok(c) if !c.is_empty() => Ok(c),
        Ok(_) => Err(ConnectError::Fatal("the TLS root PEM holds no certificate".into())),
        Err(e) => Err(ConnectError::Fatal(format!("the TLS root PEM cannot be read: {e}"))),
    }
}

/// The certificates to trust, per the configuration.
pub(crate) fn root_certs(roots: &TlsRoots) -> Result<Vec<CertificateDer<'static>>, ConnectError> {
    let mut certs = Vec::new();
    if matches!(roots, TlsRoots::System | TlsRoots::SystemAndPem(_)) {
        // Unreadable entries in the system store are skipped, as browsers do.
        certs.extend(rustls_native_certs::load_native_certs().certs);
    }
    if let TlsRoots::Pem(pem) | TlsRoots::SystemAndPem(pem) = roots {
        certs.extend(pem_certs(pem)?);
    }
    Ok(certs)
}

/// A rustls client configuration for `wss://`.
pub(crate) fn tls_config(roots: &TlsRoots) -> Result<Arc<ClientConfig>, ConnectError> {
    let mut store = RootCertStore::empty();
    for cert in root_certs(roots)? {
        let _ = store.add(cert);
    }
    if store.is_empty() {
        return Err(ConnectError::Fatal("no trusted TLS root certificates".into()));
    }
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| ConnectError::Fatal(format!("TLS setup failed: {e}")))?
        .with_root_certificates(store)
        .with_no_client_auth();
    Ok(Arc::new(config))
}
