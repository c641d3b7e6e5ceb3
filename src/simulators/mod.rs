//! In-memory vendor API servers, faithful to the vendor documents, for tests and for
//! users' offline CI.

pub mod faults;
pub mod lastline;
pub mod lightbits;
pub mod lighthouse;
pub mod lightrun;
pub mod luminate;

use std::net::SocketAddr;

use serde::de::DeserializeOwned;
use serde_json::Value;

/// Serves a simulator's router until the listener fails. Every simulator answers small
/// JSON bodies: without TCP_NODELAY, Nagle and delayed ACKs add ~40 ms to each.
pub async fn serve_router(listener: tokio::net::TcpListener, router: axum::Router) -> std::io::Result<()> {
    use axum::serve::ListenerExt as _;
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, router).await
}

/// Serves `router` on a fresh port of 127.0.0.1 from a thread of its own (with a runtime
/// of its own), for tests and tools: the address and the thread.
pub fn spawn_router(router: axum::Router) -> std::io::Result<(SocketAddr, std::thread::JoinHandle<()>)> {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    std_listener.set_nonblocking(true)?;
    let addr = std_listener.local_addr()?;
    let thread = std::thread::spawn(move || {
        let Ok(runtime) = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() else {
            return;
        };
        runtime.block_on(async move {
            if let Ok(listener) = tokio::net::TcpListener::from_std(std_listener) {
                let _ = serve_router(listener, router).await;
            }
        });
    });
    Ok((addr, thread))
}

/// A simulator served from a thread of its own, for tests and tools: its address and
/// its state (for admin-level inspection).
pub struct Running<S> {
    pub addr: SocketAddr,
    pub sim: std::sync::Arc<S>,
    _thread: std::thread::JoinHandle<()>,
}

impl<S> Running<S> {
    /// The base URL: `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// Serves `router` (built over `sim`) on a fresh local port from a thread of its own.
pub fn spawn_sim<S>(sim: std::sync::Arc<S>, router: axum::Router) -> std::io::Result<Running<S>> {
    let (addr, thread) = spawn_router(router)?;
    Ok(Running { addr, sim, _thread: thread })
}

/// The `main` of a simulator command: serves `router` on `listen` until killed, after
/// printing `banner` (with the address). Returns the process exit code: 1 when the port
/// cannot be bound or serving stops.
pub fn run_command(listen: &str, router: axum::Router, banner: &str) -> i32 {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("cannot start: {e}");
            return 1;
        }
    };
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(listen).await {
            Ok(listener) => listener,
            Err(e) => {
                eprintln!("cannot listen on {listen}: {e}");
                return 1;
            }
        };
        eprintln!("{banner} listening on http://{listen}");
        match serve_router(listener, router).await {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("simulator stopped: {e}");
                1
            }
        }
    })
}

/// A simulator command's arguments: `--name value` flags and bare switches. Anything
/// malformed (a missing or unparsable value, an unknown flag, `-h`) prints the usage and
/// exits with 2, the same for every command.
pub struct Flags {
    args: std::vec::IntoIter<String>,
    usage: &'static str,
}

impl Flags {
    /// The process's arguments; `usage` is the whole line printed on a mistake.
    pub fn from_env(usage: &'static str) -> Flags {
        Flags { args: std::env::args().skip(1).collect::<Vec<_>>().into_iter(), usage }
    }

    /// The next flag's name.
    pub fn next_flag(&mut self) -> Option<String> {
        self.args.next()
    }

    /// Prints the usage and exits: for unknown flags and `--help`.
    pub fn usage(&self) -> ! {
        eprintln!("{}", self.usage);
        std::process::exit(2);
    }

    /// The value that follows the current flag.
    pub fn value(&mut self) -> String {
        match self.args.next() {
            Some(value) => value,
            None => self.usage(),
        }
    }

    /// The value as a number (or anything else `FromStr`).
    pub fn parsed<T: std::str::FromStr>(&mut self) -> T {
        match self.value().parse() {
            Ok(parsed) => parsed,
            Err(_) => self.usage(),
        }
    }

    /// The value as milliseconds.
    pub fn millis(&mut self) -> std::time::Duration {
        std::time::Duration::from_millis(self.parsed())
    }

    /// The value as seconds.
    pub fn secs(&mut self) -> std::time::Duration {
        std::time::Duration::from_secs(self.parsed())
    }
}

/// The latency knob every simulator has: wait before answering.
pub async fn delay(latency: std::time::Duration) {
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
}

/// A JSON request body, read whatever its `Content-Type` (the vendors' servers take
/// bodies the providers send without one). Unknown keys are ignored, as Jackson does
/// under Spring. `Err` is the message of the 400 a server answers: an empty body, or
/// JSON that is malformed or of the wrong shape.
pub fn parse_json_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("Required request body is missing".into());
    }
    serde_json::from_slice(bytes).map_err(|e| format!("JSON parse error: {e}"))
}

/// A request's body read as JSON (see [`parse_json_body`]) for an extractor: `Err` is the
/// message of the 400, whether the body could not be read or is not the JSON wanted.
pub async fn read_json_body<T: DeserializeOwned, S: Send + Sync>(
    request: axum::extract::Request,
    state: &S,
) -> Result<T, String> {
    use axum::extract::FromRequest as _;
    let bytes = axum::body::Bytes::from_request(request, state).await.map_err(|e| e.body_text())?;
    parse_json_body(&bytes)
}

/// An admin route's out-of-band edit: the keys of `patch` replace the object's, except
/// `id` (the store's key: changing it would orphan the object). `Err` is the message of
/// the 400 when either is not a JSON object.
pub fn merge_patch(target: &mut Value, patch: Value) -> Result<(), &'static str> {
    let (Value::Object(mut patch), Value::Object(body)) = (patch, target) else {
        return Err("the patch must be a JSON object");
    };
    patch.remove("id");
    body.extend(patch);
    Ok(())
}
