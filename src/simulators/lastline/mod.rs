//! Lastline Accounting API (PAPI) simulator (being built).
