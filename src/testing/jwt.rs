//! SeaTable-shaped JWTs: the Base-Tokens and temporary API-Tokens MockSeaTable issues, and
//! the tokens tests hand out from their own servers.

use base64::Engine;
use serde_json::Value;

/// The text every minted token's signature starts with. Tests that check that no token
/// leaks into an error or a log look for it.
pub const MINTED_SIGNATURE_MARK: &str = "mockSignature";

/// A JWT shaped like SeaTable's (`header.payload.signature`, base64url without padding)
/// whose payload is `claims`. The client reads only the payload (for `exp`); the
/// signature is not a real one: [`MINTED_SIGNATURE_MARK`] followed by 16 hex digits of a
/// hash of the payload, so that tokens with different claims differ in every part.
///
/// ```no_run
/// let token = seatable_api::testing::mint_jwt(&serde_json::json!({
///     "exp": 1_900_000_000u64,
///     "dtable_uuid": "650d8a0d-7e27-46a8-8b18-6cc6f3db2057",
/// }));
/// assert_eq!(token.split('.').count(), 3);
/// ```
pub fn mint_jwt(claims: &Value) -> String {
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let payload = claims.to_string();
    // FNV-1a: stable across runs and platforms, which `std`'s hasher does not promise.
    let hash = payload.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!(
        "{}.{}.{MINTED_SIGNATURE_MARK}{hash:016x}",
        b64(br#"{"alg":"HS256","typ":"JWT"}"#),
        b64(payload.as_bytes()),
    )
}
