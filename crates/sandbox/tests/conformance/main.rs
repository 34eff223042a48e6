//! Conformance suite of the sandbox: every endpoint's documented fields and error
//! envelopes, and each platform's whole flow (authorize → token → profile → publish →
//! status → insights) driven with plain HTTP requests, as a browser and a client would.

mod faults;
mod inspect;
mod instagram;
mod reddit;
mod support;
mod tiktok;
