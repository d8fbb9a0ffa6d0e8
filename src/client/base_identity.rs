//! Which base an API-Token belongs to, learned once per client: the attachment helpers
//! need its UUID and workspace, and a token exchange may already have told.

use std::sync::Arc;

use crate::transport::error::Error;

/// The base an API-Token belongs to, as `getBaseToken` names it.
#[derive(Clone, Debug)]
pub(crate) struct BaseIdentity {
    pub(crate) uuid: String,
    pub(crate) workspace_id: Option<i64>,
}

/// Learned once per [`ApiTokenClient`](crate::ApiTokenClient) (and its clones), the first time a helper needs it.
#[derive(Clone, Default)]
pub(crate) struct BaseIdentityCache(Arc<tokio::sync::OnceCell<BaseIdentity>>);

impl BaseIdentityCache {
    /// Keeps the identity a token exchange answered with, so that the helpers need not
    /// exchange the API-Token again only to learn it; the first one kept stays.
    pub(crate) fn remember(&self, uuid: &str, workspace_id: Option<i64>) {
        let _ = self.0.set(BaseIdentity {
            uuid: uuid.to_string(),
            workspace_id,
        });
    }

    /// The identity, learned by `init` the first time (one exchange even when several
    /// helpers ask at once).
    pub(crate) async fn get_or_try_init<F, Fut>(&self, init: F) -> Result<&BaseIdentity, Error>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<BaseIdentity, Error>>,
    {
        self.0.get_or_try_init(init).await
    }
}

impl std::fmt::Debug for BaseIdentityCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.get() {
            Some(identity) => write!(f, "{identity:?}"),
            None => f.write_str("not loaded"),
        }
    }
}
