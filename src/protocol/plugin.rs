//! Serving a provider the way Terraform starts plugins (go-plugin): magic cookie check,
//! a unix socket, AutoMTLS, the handshake line on stdout, the controller/stdio/broker
//! and health services next to the provider service, and a `--debug` reattach mode.

use std::path::PathBuf;
use std::sync::Arc;

use base64::Engine as _;
use futures::StreamExt;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};
use tokio::net::UnixListener;
use tokio::sync::Notify;
use tokio_stream::wrappers::UnixListenerStream;
use tonic::transport::Server;
use tonic::{Request, Response, Status};

use crate::engine::provider::Provider;
use crate::protocol::pb;
use crate::protocol::server::ProviderService;

const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
const MAGIC_COOKIE_VALUE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
const PROTOCOL_VERSION: u32 = 6;
/// Terraform raises gRPC message limits to this; big plans need it.
const MAX_MESSAGE: usize = 256 << 20;

pub struct ServeOptions {
    /// Provider source address used in the `--debug` reattach instructions.
    pub address: &'static str,
}

/// Entry point of a provider binary. Returns the process exit code.
pub fn main(provider: Provider, opts: ServeOptions) -> i32 {
    let debug = std::env::args().skip(1).any(|a| a == "--debug" || a == "-debug");
    if !debug && std::env::var(MAGIC_COOKIE_KEY).as_deref() != Ok(MAGIC_COOKIE_VALUE) {
        eprintln!(
            "This binary is a Terraform plugin. It is not meant to be run directly: Terraform starts it.\n\
             To debug it, run it with --debug and follow the instructions it prints."
        );
        return 1;
    }
    if let Ok(versions) = std::env::var("PLUGIN_PROTOCOL_VERSIONS") {
        if !versions.split(',').any(|v| v.trim() == PROTOCOL_VERSION.to_string()) {
            eprintln!("This provider speaks plugin protocol {PROTOCOL_VERSION}; Terraform offered {versions}. Use Terraform 1.0 or newer.");
            return 1;
        }
    }
    crate::logging::init("provider");
    // One worker: each RPC costs well under a millisecond of CPU, and waking a second
    // worker for every gRPC frame and HTTP answer cost more than it ran in parallel
    // (measured: provider CPU of a 1000-volume refresh plan 0.46 s with two workers, 0.35 s
    // with one, wall time unchanged). The multi-thread scheduler stays for its blocking pool.
    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return 1;
        }
    };
    match rt.block_on(serve(Arc::new(provider), opts, debug)) {
        Ok(()) => 0,
        Err(e) => {
            tracing::error!("plugin server failed: {e}");
            eprintln!("plugin server failed: {e}");
            1
        }
    }
}

fn socket_path() -> PathBuf {
    let dir = std::env::var_os("PLUGIN_UNIX_SOCKET_DIR").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    dir.join(format!("plugin{}", uuid::Uuid::new_v4().simple()))
}

async fn serve(provider: Arc<Provider>, opts: ServeOptions, debug: bool) -> Result<(), Box<dyn std::error::Error>> {
    let path = socket_path();
    let listener = UnixListener::bind(&path)?;
    let shutdown = Arc::new(Notify::new());
    let router = services(provider.clone(), shutdown.clone(), true).await;

    // go-plugin hosts handle Ctrl-C themselves and then ask us to shut down; dying on
    // SIGINT would abort in-flight API calls half way.
    tokio::spawn(async {
        loop {
            if tokio::signal::ctrl_c().await.is_err() {
                return;
            }
            tracing::debug!("interrupt received; waiting for Terraform to shut the plugin down");
        }
    });

    let tls = match std::env::var("PLUGIN_CLIENT_CERT") {
        Ok(pem) if !debug => Some(auto_mtls(&pem)?),
        _ => None,
    };
    let addr = path.display().to_string();
    if debug {
        let reattach = serde_json::json!({
            opts.address: {
                "Protocol": "grpc",
                "ProtocolVersion": PROTOCOL_VERSION,
                "Pid": std::process::id(),
                "Test": true,
                "Addr": {"Network": "unix", "String": addr},
            }
        });
        println!("Provider started in debug mode. To attach Terraform, set in your shell:\n\n\tTF_REATTACH_PROVIDERS='{reattach}'\n");
    } else {
        let cert = tls
            .as_ref()
            .map(|(der, _)| format!("|{}", base64::engine::general_purpose::STANDARD_NO_PAD.encode(der)))
            .unwrap_or_default();
        println!("1|{PROTOCOL_VERSION}|unix|{addr}|grpc{cert}");
    }
    use std::io::Write as _;
    std::io::stdout().flush()?;

    let stop = {
        let shutdown = shutdown.clone();
        async move {
            if debug {
                let _ = tokio::signal::ctrl_c().await;
            } else {
                shutdown.notified().await;
            }
        }
    };
    let result = match tls {
        Some((_, config)) => {
            let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
            // Handshakes run concurrently so one slow client cannot stall the others.
            let incoming = UnixListenerStream::new(listener)
                .filter_map(move |conn| {
                    let acceptor = acceptor.clone();
                    async move {
                        match conn {
                            Ok(stream) => Some(tokio::spawn(async move { acceptor.accept(stream).await })),
                            Err(e) => {
                                tracing::warn!("accept failed: {e}");
                                None
                            }
                        }
                    }
                })
                .buffer_unordered(16)
                .filter_map(|r| async move {
                    match r {
                        Ok(Ok(s)) => Some(Ok::<_, std::io::Error>(s)),
                        Ok(Err(e)) => {
                            tracing::warn!("TLS handshake with Terraform failed: {e}");
                            None
                        }
                        Err(_) => None,
                    }
                });
            router.serve_with_incoming_shutdown(incoming, stop).await
        }
        None => router.serve_with_incoming_shutdown(UnixListenerStream::new(listener), stop).await,
    };
    let _ = std::fs::remove_file(&path);
    result?;
    Ok(())
}

/// Serves a provider inside the calling process, in debug (reattach) mode: Terraform
/// attaches through `TF_REATTACH_PROVIDERS` (the `reattach` value) instead of starting a
/// binary. For tests that declare a provider of their own. Needs a multi-threaded Tokio
/// runtime; stops serving when dropped (Terraform's Shutdown never exits the process).
pub struct Attached {
    /// The JSON value of `TF_REATTACH_PROVIDERS`.
    pub reattach: String,
    /// The unix socket the gRPC services listen on.
    pub socket: PathBuf,
    shutdown: Arc<Notify>,
}

impl Drop for Attached {
    fn drop(&mut self) {
        self.shutdown.notify_one();
        let _ = std::fs::remove_file(&self.socket);
    }
}

pub async fn serve_attached(provider: Provider, address: &str) -> std::io::Result<Attached> {
    let socket = socket_path();
    let listener = UnixListener::bind(&socket)?;
    let shutdown = Arc::new(Notify::new());
    let router = services(Arc::new(provider), shutdown.clone(), false).await;
    let stop = shutdown.clone();
    tokio::spawn(async move {
        let incoming = UnixListenerStream::new(listener);
        if let Err(e) = router.serve_with_incoming_shutdown(incoming, async move { stop.notified().await }).await {
            tracing::error!("attached plugin server failed: {e}");
        }
    });
    let reattach = serde_json::json!({
        address: {
            "Protocol": "grpc",
            "ProtocolVersion": PROTOCOL_VERSION,
            "Pid": std::process::id(),
            "Test": true,
            "Addr": {"Network": "unix", "String": socket.display().to_string()},
        }
    })
    .to_string();
    Ok(Attached { reattach, socket, shutdown })
}

async fn services(provider: Arc<Provider>, shutdown: Arc<Notify>, exit: bool) -> tonic::transport::server::Router {
    let (health_reporter, health) = tonic_health::server::health_reporter();
    health_reporter.set_service_status("plugin", tonic_health::ServingStatus::Serving).await;
    let svc = pb::provider_server::ProviderServer::new(ProviderService::new(provider))
        .max_decoding_message_size(MAX_MESSAGE)
        .max_encoding_message_size(MAX_MESSAGE);
    Server::builder()
        .add_service(svc)
        .add_service(pb::plugin::grpc_controller_server::GrpcControllerServer::new(Controller { shutdown, exit }))
        .add_service(pb::plugin::grpc_stdio_server::GrpcStdioServer::new(Stdio))
        .add_service(pb::plugin::grpc_broker_server::GrpcBrokerServer::new(Broker))
        .add_service(health)
}

struct Controller {
    shutdown: Arc<Notify>,
    /// Whether Shutdown ends the process (a plugin binary) or only asks the server to
    /// stop (a provider served inside a test process, whose Terraform may come again).
    exit: bool,
}

#[tonic::async_trait]
impl pb::plugin::grpc_controller_server::GrpcController for Controller {
    async fn shutdown(&self, _: Request<pb::plugin::Empty>) -> Result<Response<pb::plugin::Empty>, Status> {
        tracing::debug!("Shutdown requested by Terraform");
        if !self.exit {
            return Ok(Response::new(pb::plugin::Empty {}));
        }
        let s = self.shutdown.clone();
        // Answer first, then stop serving; open streams (stdio, broker) would otherwise
        // hold a graceful shutdown forever, so the process exits shortly after.
        tokio::spawn(async move {
            s.notify_one();
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            std::process::exit(0);
        });
        Ok(Response::new(pb::plugin::Empty {}))
    }
}

type Never<T> = std::pin::Pin<Box<dyn futures::Stream<Item = Result<T, Status>> + Send>>;

struct Stdio;

#[tonic::async_trait]
impl pb::plugin::grpc_stdio_server::GrpcStdio for Stdio {
    type StreamStdioStream = Never<pb::plugin::StdioData>;
    async fn stream_stdio(&self, _: Request<()>) -> Result<Response<Self::StreamStdioStream>, Status> {
        // We never write to stdout/stderr outside the log format, so nothing to relay.
        Ok(Response::new(Box::pin(futures::stream::pending())))
    }
}

struct Broker;

#[tonic::async_trait]
impl pb::plugin::grpc_broker_server::GrpcBroker for Broker {
    type StartStreamStream = Never<pb::plugin::ConnInfo>;
    async fn start_stream(
        &self,
        _: Request<tonic::Streaming<pb::plugin::ConnInfo>>,
    ) -> Result<Response<Self::StartStreamStream>, Status> {
        Ok(Response::new(Box::pin(futures::stream::pending())))
    }
}

/// Builds the server side of go-plugin's AutoMTLS: a fresh self-signed CA certificate
/// for "localhost" (sent to Terraform in the handshake) and a verifier that accepts
/// exactly the client certificate Terraform passed in PLUGIN_CLIENT_CERT.
fn auto_mtls(client_pem: &str) -> Result<(Vec<u8>, rustls::ServerConfig), Box<dyn std::error::Error>> {
    let client_der = rustls_pemfile::certs(&mut client_pem.as_bytes())
        .next()
        .ok_or("PLUGIN_CLIENT_CERT holds no certificate")??
        .to_vec();

    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()])?;
    params.distinguished_name.push(rcgen::DnType::CommonName, "localhost");
    params.distinguished_name.push(rcgen::DnType::OrganizationName, "Terraform provider plugin");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::DigitalSignature,
        rcgen::KeyUsagePurpose::KeyEncipherment,
        rcgen::KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages =
        vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth, rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::seconds(30);
    params.not_after = now + time::Duration::days(3650);
    let cert = params.self_signed(&key)?;
    let cert_der = cert.der().to_vec();

    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = Arc::new(ExactClientCert { expected: client_der, provider: provider.clone() });
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![CertificateDer::from(cert_der.clone())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )?;
    // gRPC clients insist on HTTP/2 being negotiated.
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok((cert_der, config))
}

/// go-plugin's client certificate is self-signed and marked as a CA, which standard
/// path validation refuses as an end-entity certificate; we pin it byte for byte instead
/// and still verify the handshake signatures made with its key.
#[derive(Debug)]
struct ExactClientCert {
    expected: Vec<u8>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ClientCertVerifier for ExactClientCert {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }
    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.expected.as_slice() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::General("client certificate is not the one Terraform announced".into()))
        }
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}
