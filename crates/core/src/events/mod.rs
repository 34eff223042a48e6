//! Platform events (issue 6): webhook intake with signature verification, replay protection
//! and dedupe, and their processing.
