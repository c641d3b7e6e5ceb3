//! The simulator driven through its router (`oneshot`).
