//! `--tls`: a throw-away CA and a server certificate for 127.0.0.1, ::1 and localhost.

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, SanType};
use std::path::PathBuf;
use std::sync::Arc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A TLS acceptor plus the CA PEM file that verifies it.
pub struct Tls {
    /// Accepts TLS on a TCP stream.
    pub acceptor: TlsAcceptor,
    /// PEM file of the CA certificate (removed on clean exit).
    pub ca_file: PathBuf,
}

/// Makes a CA, signs a server certificate with it, and writes the CA PEM to a temp file.
pub fn setup(port: u16) -> Result<Tls, String> {
    let e = |e: rcgen::Error| e.to_string();
    let ca_key = KeyPair::generate().map_err(e)?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(e)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "zdkit-emulator test CA");
    let ca_cert = ca_params.self_signed(&ca_key).map_err(e)?;

    let key = KeyPair::generate().map_err(e)?;
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).map_err(e)?;
    params
        .subject_alt_names
        .push(SanType::IpAddress([127, 0, 0, 1].into()));
    params
        .subject_alt_names
        .push(SanType::IpAddress(std::net::Ipv6Addr::LOCALHOST.into()));
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let cert = params.signed_by(&key, &ca_cert, &ca_key).map_err(e)?;

    let ca_file = std::env::temp_dir().join(format!(
        "zdkit-emulator-{}-{port}-ca.pem",
        std::process::id()
    ));
    std::fs::write(&ca_file, ca_cert.pem())
        .map_err(|e| format!("cannot write {}: {e}", ca_file.display()))?;

    let chain: Vec<CertificateDer<'static>> = vec![cert.der().clone()];
    let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)
        .map_err(|e| e.to_string())?;
    // Offer HTTP/2 as Zendesk does; clients without it get HTTP/1.1.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Tls {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        ca_file,
    })
}
