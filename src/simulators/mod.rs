//! In-memory vendor API servers, faithful to the vendor documents, for tests and for
//! users' offline CI.

pub mod faults;
pub mod lightbits;
pub mod luminate;

/// Serves a simulator's router until the listener fails. Every simulator answers small
/// JSON bodies: without TCP_NODELAY, Nagle and delayed ACKs add ~40 ms to each.
pub async fn serve_router(listener: tokio::net::TcpListener, router: axum::Router) -> std::io::Result<()> {
    use axum::serve::ListenerExt as _;
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, router).await
}

/// The latency knob every simulator has: wait before answering.
pub async fn delay(latency: std::time::Duration) {
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
}
