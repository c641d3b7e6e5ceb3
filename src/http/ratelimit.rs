//! A token bucket shared by all requests of one provider process, so Terraform's
//! parallelism never turns into a burst the API answers with 429s.

use std::time::{Duration, Instant};

use tokio::sync::Mutex;

pub struct TokenBucket {
    rate: f64,
    burst: f64,
    state: Mutex<(f64, Instant)>,
}

impl TokenBucket {
    pub fn new(rate_per_sec: f64, burst: u32) -> TokenBucket {
        let burst = f64::from(burst.max(1));
        TokenBucket { rate: rate_per_sec.max(0.001), burst, state: Mutex::new((burst, Instant::now())) }
    }

    /// Waits until a token is available and takes it.
    pub async fn acquire(&self) {
        loop {
            let wait = {
                let mut s = self.state.lock().await;
                let now = Instant::now();
                let tokens = (s.0 + now.duration_since(s.1).as_secs_f64() * self.rate).min(self.burst);
                if tokens >= 1.0 {
                    *s = (tokens - 1.0, now);
                    return;
                }
                *s = (tokens, now);
                Duration::from_secs_f64((1.0 - tokens) / self.rate)
            };
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bursts_then_paces() {
        let b = TokenBucket::new(20.0, 3);
        let start = Instant::now();
        for _ in 0..5 {
            b.acquire().await;
        }
        // 3 immediately, 2 more at 20/s: about 100 ms.
        let e = start.elapsed();
        assert!(e >= Duration::from_millis(80) && e < Duration::from_millis(600), "{e:?}");
    }
}
