//! Secrets as types: the three SeaTable tokens and a general [`Secret`]. None of them shows
//! its value in `Debug`, and none implements `Display`, so a token cannot end up in a log
//! line or an error message by accident.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            /// The secret itself, for the one place that must send it.
            ///
            /// ```no_run
            #[doc = concat!("let token = seatable_api::", stringify!($name), "::from(\"secret\");")]
            /// assert_eq!(token.expose_secret(), "secret");
            /// ```
            pub fn expose_secret(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "(***)"))
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                $name(value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                $name(value.to_string())
            }
        }
    };
}

secret_type!(
    /// A secret string from the spec (`format: password`): passwords and tokens in models.
    Secret
);
secret_type!(
    /// The Account-Token of a user (login); never expires.
    AccountToken
);
secret_type!(
    /// The API-Token of one base; exchanged for Base-Tokens and used for file operations.
    ApiToken
);
secret_type!(
    /// The token of the Python scheduler's statistics and run endpoints, configured by the
    /// system administrator on the scheduler service.
    SchedulerToken
);
secret_type!(
    /// The Base-Token (a JWT) for the operations on one base; expires, by default after
    /// three days.
    BaseToken
);

impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret)
    }
}

/// Token-issuing answers hold the token as a [`Secret`]; it becomes a token without ever
/// being a plain `String` in between.
macro_rules! token_from_secret {
    ($($name:ident),*) => {$(
        impl From<Secret> for $name {
            fn from(value: Secret) -> Self {
                $name(value.0)
            }
        }
    )*};
}

token_from_secret!(AccountToken, ApiToken, BaseToken);

impl BaseToken {
    /// When the token expires, read from the JWT's `exp` claim; `None` when the token is not
    /// a JWT or carries no `exp`.
    ///
    /// ```no_run
    /// let token = seatable_api::BaseToken::from("not a jwt");
    /// assert_eq!(token.expires_at(), None);
    /// ```
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.claim("exp")
    }

    /// When the server issued the token, by the server's clock (the JWT's `iat`).
    pub(crate) fn issued_at(&self) -> Option<SystemTime> {
        self.claim("iat")
    }

    fn claim(&self, name: &str) -> Option<SystemTime> {
        let seconds = jwt_claims(&self.0)?.get(name)?.as_u64()?;
        UNIX_EPOCH.checked_add(Duration::from_secs(seconds))
    }
}

impl ApiToken {
    /// The base a temporary API-Token (`createTempApiToken`, a JWT) names in its
    /// `dtable_uuid` claim; `None` for a permanent token, which is no JWT.
    #[cfg_attr(not(all(feature = "files", feature = "base")), allow(dead_code))]
    pub(crate) fn base_uuid_claim(&self) -> Option<String> {
        Some(
            jwt_claims(&self.0)?
                .get("dtable_uuid")?
                .as_str()?
                .to_string(),
        )
    }
}

/// The claims of a JWT, read without checking its signature (the server checks it).
fn jwt_claims(token: &str) -> Option<serde_json::Value> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_value() {
        let shown = [
            format!("{:?}", Secret::from("s3cr3t-a")),
            format!("{:?}", AccountToken::from("s3cr3t-b")),
            format!("{:?}", ApiToken::from("s3cr3t-c")),
            format!("{:?}", BaseToken::from("s3cr3t-d")),
        ];
        assert_eq!(
            shown,
            [
                "Secret(***)",
                "AccountToken(***)",
                "ApiToken(***)",
                "BaseToken(***)"
            ]
        );
    }

    fn jwt(payload: &str) -> BaseToken {
        let enc = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        BaseToken::from(format!(
            "{}.{}.sig",
            enc(r#"{"alg":"HS256"}"#),
            enc(payload)
        ))
    }

    #[test]
    fn secret_is_a_plain_string_on_the_wire() {
        let secret: Secret = serde_json::from_str(r#""pw-1234567""#).unwrap();
        assert_eq!(secret.expose_secret(), "pw-1234567");
        assert_eq!(serde_json::to_string(&secret).unwrap(), r#""pw-1234567""#);
        assert!(serde_json::from_str::<Secret>("42").is_err());
        let token: ApiToken = Secret::from("api-1").into();
        assert_eq!(token, ApiToken::from("api-1"));
    }

    #[test]
    fn reads_exp_from_the_jwt() {
        let t = jwt(r#"{"exp": 1700000000, "dtable_uuid": "x"}"#);
        assert_eq!(
            t.expires_at(),
            Some(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
        );
        assert_eq!(jwt(r#"{"dtable_uuid": "x"}"#).expires_at(), None);
        assert_eq!(jwt("not json").expires_at(), None);
        assert_eq!(jwt(r#"{"exp": "1700000000"}"#).expires_at(), None);
        assert_eq!(jwt(r#"{"exp": -5}"#).expires_at(), None);
        assert_eq!(jwt(r#"{"exp": 1.5e300}"#).expires_at(), None);
        assert_eq!(jwt(r#"{"exp": 18446744073709551615}"#).expires_at(), None);
        assert_eq!(BaseToken::from("a.%%%.b").expires_at(), None);
        assert_eq!(BaseToken::from("a..b").expires_at(), None);
        assert_eq!(BaseToken::from("").expires_at(), None);
        assert_eq!(BaseToken::from("ü.ü.ü").expires_at(), None);
    }
}
