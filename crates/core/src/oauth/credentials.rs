//! Developer-app credentials per platform: from the configuration (client id from the
//! environment or config.toml, secret from the environment only) or, as set by
//! `outpost credentials set`, from the vault. Never compiled into the binary.

use crate::config::Config;
use crate::platform::Platform;
use crate::platforms::ClientCredentials;
use crate::vault::{SecretOwner, SecretValue, Vault, VaultError};

const CLIENT_ID: &str = "client_id";
const CLIENT_SECRET: &str = "client_secret";

/// The credentials to use for `platform`, if any.
pub async fn resolve(
    config: &Config,
    vault: &Vault,
    platform: Platform,
) -> Result<Option<ClientCredentials>, VaultError> {
    let pc = config.platform(platform);
    let owner = SecretOwner::Client(platform);
    let client_id = match &pc.client_id {
        Some(id) => Some(id.clone()),
        None => vault
            .get(&owner, CLIENT_ID)
            .await?
            .map(|v| v.expose().to_owned()),
    };
    let Some(client_id) = client_id else {
        return Ok(None);
    };
    let client_secret = match &pc.client_secret {
        Some(s) => Some(s.clone()),
        None => vault.get(&owner, CLIENT_SECRET).await?,
    };
    Ok(Some(ClientCredentials {
        client_id,
        client_secret,
    }))
}

/// Keep a developer app's credentials in the vault.
pub async fn store(
    vault: &Vault,
    platform: Platform,
    client_id: &str,
    client_secret: Option<&SecretValue>,
) -> Result<(), VaultError> {
    let owner = SecretOwner::Client(platform);
    let id = SecretValue::new(client_id.to_owned());
    let mut fields = vec![(CLIENT_ID, &id, None)];
    if let Some(s) = client_secret {
        fields.push((CLIENT_SECRET, s, None));
    }
    vault.put_all(&owner, &fields).await?;
    if client_secret.is_none() {
        vault.delete(&owner, CLIENT_SECRET).await?;
    }
    Ok(())
}
