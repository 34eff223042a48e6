//! Conformance suite of the sandbox: every endpoint's documented fields and error
//! envelopes, and each platform's whole flow (authorize → token → profile → publish →
//! status → insights) driven with plain HTTP requests, as a browser and a client would.

mod faults;
mod inspect;
mod instagram;
mod limits;
mod reddit;
mod robustness;
mod support;
mod tiktok;
