//! `outpost vault status|rotate`.

use outpost_core::error::ErrorPayload;
use outpost_core::vault::{Backend, RotateOptions, VaultStatus, VerifyReport};
use serde::Serialize;

use crate::args::{BackendArg, VaultAction, VaultArgs};
use crate::context::{fail, Context};
use crate::output::Output;

/// One line describing the vault for people.
pub fn describe(status: &VaultStatus) -> String {
    let backend = status.backend.map(|b| b.as_str()).unwrap_or("none");
    match status.state {
        "ready" => format!(
            "ready, {} (key #{}), {} secret(s)",
            status.location.as_deref().unwrap_or(backend),
            status.key_id.unwrap_or(0),
            status.secrets
        ),
        "uninitialized" => match status.backend {
            Some(b) => {
                format!("not set up yet (the {b} backend is used when the first secret is stored)")
            }
            None => "not set up yet (created with the first secret: in the OS keyring, or from \
                     OUTPOST_VAULT_PASSPHRASE where no keyring answers)"
                .to_owned(),
        },
        _ => format!(
            "UNAVAILABLE: {}",
            status
                .problem
                .as_ref()
                .map(|p| p.message.as_str())
                .unwrap_or("unknown problem")
        ),
    }
}

#[derive(Serialize)]
struct StatusWithCheck {
    #[serde(flatten)]
    status: VaultStatus,
    check: Option<VerifyReport>,
}

pub async fn run(ctx: &Context, out: &Output, args: &VaultArgs) -> Result<(), ErrorPayload> {
    let vault = ctx.vault();
    match &args.action {
        VaultAction::Status => {
            let status = vault.status().await.map_err(fail)?;
            let check = if status.state == "ready" {
                Some(vault.verify().await.map_err(fail)?)
            } else {
                None
            };
            let mut lines = vec![("Vault", describe(&status))];
            if let Some(c) = &check {
                lines.push(("Readable", format!("{}/{}", c.readable, c.total)));
                for f in &c.failures {
                    lines.push((
                        "Unreadable",
                        format!(
                            "{} {}: {} ({})",
                            f.owner, f.field, f.error.message, f.error.code
                        ),
                    ));
                }
            }
            let failures = check.as_ref().map(|c| c.failures.len()).unwrap_or(0);
            let problem = status.problem.clone();
            out.record(&StatusWithCheck { status, check }, &lines);
            if let Some(p) = problem {
                return Err(p);
            }
            if failures > 0 {
                return Err(ErrorPayload {
                    code: "vault.unreadable_secrets".into(),
                    message: format!(
                        "{failures} secret(s) cannot be read; reconnect the accounts listed above"
                    ),
                });
            }
            Ok(())
        }
        VaultAction::Rotate { backend } => {
            let report = vault
                .rotate(RotateOptions {
                    backend: backend.map(|b| match b {
                        BackendArg::Keyring => Backend::Keyring,
                        BackendArg::Passphrase => Backend::Passphrase,
                    }),
                    new_passphrase: ctx.config.vault_new_passphrase.clone(),
                })
                .await
                .map_err(fail)?;
            out.record(
                &report,
                &[
                    (
                        "Rotated",
                        format!(
                            "key #{} -> key #{} ({})",
                            report.old_key_id, report.new_key_id, report.backend
                        ),
                    ),
                    ("Secrets", format!("{} re-encrypted", report.secrets)),
                ],
            );
            Ok(())
        }
    }
}
