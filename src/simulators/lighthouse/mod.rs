//! Lighthouse Remote API v0.2 simulator (being built).
