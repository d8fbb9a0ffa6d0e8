//! Where the server and the tokens come from: flags, then the profile named with
//! `--profile`, then the environment, then the config file's `default` profile.
//!
//! The config file is TOML, `seatable/config.toml` in the user's config directory (or the
//! file `SEATABLE_CONFIG` names):
//!
//! ```toml
//! default = "work"
//!
//! [profiles.work]
//! server = "https://cloud.seatable.io"
//! api_token = "…"          # base and file commands
//! username = "me@example.com"   # account and admin commands (login)
//! password = "…"
//! # account_token = "…"   # instead of username and password
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use crate::failure::Failure;

/// One named profile of the config file. No `Debug`: it holds secrets.
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The server URL.
    pub server: Option<String>,
    /// An API-Token.
    pub api_token: Option<String>,
    /// An Account-Token.
    pub account_token: Option<String>,
    /// The login name.
    pub username: Option<String>,
    /// The password of the login.
    pub password: Option<String>,
    /// The Python scheduler's token.
    pub scheduler_token: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    default: Option<String>,
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
}

/// What the command line said about connecting. No `Debug`: `--token` is a secret.
#[derive(Clone, Default)]
pub struct Flags {
    /// `--server`.
    pub server: Option<String>,
    /// `--token`.
    pub token: Option<String>,
    /// `--profile`.
    pub profile: Option<String>,
}

/// The settings a command connects with. `Debug` shows which tokens are set, never them.
#[derive(Clone, Default)]
pub struct Settings {
    /// The server URL.
    pub server: Option<String>,
    /// API-Token, Account-Token, login and scheduler token.
    pub profile: Profile,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("server", &self.server)
            .field("api_token", &self.profile.api_token.is_some())
            .field("account_token", &self.profile.account_token.is_some())
            .field("username", &self.profile.username)
            .finish_non_exhaustive()
    }
}

/// The config file: `SEATABLE_CONFIG`, else `seatable/config.toml` in the config directory.
pub fn config_path() -> Option<PathBuf> {
    match std::env::var_os("SEATABLE_CONFIG") {
        Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
        _ => dirs::config_dir().map(|d| d.join("seatable").join("config.toml")),
    }
}

fn read_file() -> Result<(Option<PathBuf>, File), Failure> {
    let Some(path) = config_path() else {
        return Ok((None, File::default()));
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok((Some(path), File::default()))
        }
        Err(e) => {
            return Err(Failure::config(format!(
                "cannot read {}: {e}",
                path.display()
            )))
        }
    };
    // toml's message quotes the line; a token on a bad line would show, so only the place
    // and the kind of problem are kept.
    let file: File = toml::from_str(&text).map_err(|e| {
        let place = e
            .span()
            .map(|s| {
                let line = text[..s.start].matches('\n').count() + 1;
                format!(" at line {line}")
            })
            .unwrap_or_default();
        Failure::config(format!("{}{place}: {}", path.display(), e.message()))
    })?;
    Ok((Some(path), file))
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The settings for this run.
pub fn resolve(flags: &Flags) -> Result<Settings, Failure> {
    let (path, mut file) = read_file()?;
    let from_env = Profile {
        server: env("SEATABLE_SERVER_URL"),
        api_token: env("SEATABLE_API_TOKEN"),
        account_token: env("SEATABLE_ACCOUNT_TOKEN"),
        username: env("SEATABLE_USERNAME"),
        password: env("SEATABLE_PASSWORD"),
        scheduler_token: env("SEATABLE_SCHEDULER_TOKEN"),
    };
    let named = flags.profile.clone().or_else(|| env("SEATABLE_PROFILE"));
    let mut layers: Vec<Profile> = Vec::new();
    match named {
        Some(name) => {
            let profile = file.profiles.remove(&name).ok_or_else(|| {
                let known: Vec<&str> = file.profiles.keys().map(String::as_str).collect();
                Failure::config(format!(
                    "no profile `{name}` in {} (profiles: {})",
                    path.as_ref()
                        .map_or("the config file".into(), |p| p.display().to_string()),
                    if known.is_empty() {
                        "none".into()
                    } else {
                        known.join(", ")
                    }
                ))
            })?;
            layers.push(profile);
            layers.push(from_env);
        }
        None => {
            layers.push(from_env);
            if let Some(name) = file.default.clone() {
                let profile = file.profiles.remove(&name).ok_or_else(|| {
                    Failure::config(format!(
                        "the default profile `{name}` is not in {}",
                        path.as_ref()
                            .map_or("the config file".into(), |p| p.display().to_string())
                    ))
                })?;
                layers.push(profile);
            }
        }
    }
    let pick = |get: fn(&Profile) -> &Option<String>| layers.iter().find_map(|p| get(p).clone());
    Ok(Settings {
        server: flags.server.clone().or_else(|| pick(|p| &p.server)),
        profile: Profile {
            server: None,
            api_token: flags.token.clone().or_else(|| pick(|p| &p.api_token)),
            account_token: pick(|p| &p.account_token),
            username: pick(|p| &p.username),
            password: pick(|p| &p.password),
            scheduler_token: pick(|p| &p.scheduler_token),
        },
    })
}
