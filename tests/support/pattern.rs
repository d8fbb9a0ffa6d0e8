//! The pattern subset of the spec check, which lives in the library now
//! (`seatable_api::testing::spec_check`).

// Each test binary that includes `support` uses a different part of it.
#[allow(unused_imports)]
pub use seatable_api::testing::spec_check::Pattern;
