//! [`ApiTokenClient`]: the operations authorised by the API-Token of one base.

use crate::client::base::{BaseClient, BaseTokenSource, Renewal};
#[cfg(all(feature = "files", feature = "base"))]
use crate::client::base_identity::BaseIdentityCache;
use crate::transport::connection::{Auth, Client};
use crate::transport::error::Error;
use crate::transport::request::{BoxFuture, Request, Response, Transport};
use crate::transport::tokens::ApiToken;
use crate::types::BaseAccess;

/// A client holding the API-Token of one base: Base-Token exchange and file operations.
/// Cheap to clone; `Debug` does not show the token.
///
/// ```no_run
/// # async fn run() -> Result<(), seatable_api::Error> {
/// let client = seatable_api::Client::new("https://cloud.seatable.io")?;
/// let api = client.with_api_token("api token");
/// let access = api.get_base_token().exp("5h").await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct ApiTokenClient {
    client: Client,
    token: ApiToken,
    /// The base's UUID and workspace, learned once when a file helper needs them.
    #[cfg(all(feature = "files", feature = "base"))]
    identity: BaseIdentityCache,
    /// Where the file server's requests (`/seafhttp/…`) go when an upload link named
    /// another server than the client's; see [`ApiTokenClient::with_upload_link`].
    file_server: Option<FileServer>,
}

/// The server an upload link points to.
#[derive(Clone, Debug)]
struct FileServer {
    /// The link up to `/seafhttp/`.
    url: url::Url,
    /// Whether it is the client's own server (scheme, host, port), which may see the
    /// API-Token; another host never does: the upload id in the link authorises the
    /// upload by itself, and SeaTable's Python SDK sends no token with it either.
    same_origin: bool,
}

impl ApiTokenClient {
    pub(crate) fn new(client: Client, token: ApiToken) -> ApiTokenClient {
        ApiTokenClient {
            client,
            token,
            #[cfg(all(feature = "files", feature = "base"))]
            identity: BaseIdentityCache::default(),
            file_server: None,
        }
    }

    /// This client, with the file server's requests (`uploadFile`, `/seafhttp/…`) sent to
    /// the server that `upload_link` (from `getUploadLink` or `getCustomUploadLink`)
    /// names instead of the client's: installations may run the file server on a host of
    /// its own. The API-Token goes with them only when that is the client's own server.
    /// [`upload_attachment`](Self::upload_attachment) does this by itself.
    ///
    /// Fails with [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument) when
    /// the link is not an http(s) URL with `/seafhttp/` in its path.
    ///
    /// ```no_run
    /// # async fn run(api: seatable_api::ApiTokenClient, file: seatable_api::FileUpload) -> Result<(), seatable_api::Error> {
    /// let link = api.get_upload_link().await?;
    /// let upload_id = link.upload_link.rsplit('/').next().unwrap_or_default().to_string();
    /// let stored = api
    ///     .with_upload_link(&link.upload_link)?
    ///     .upload_file(upload_id, file, link.parent_path, link.file_relative_path)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn with_upload_link(&self, upload_link: &str) -> Result<ApiTokenClient, Error> {
        // The link authorises uploads by itself, so it is not repeated in the error.
        let refuse = |why: &str| {
            Error::new(
                crate::ErrorKind::InvalidArgument,
                format!("the upload link {why}; expected `<server>/seafhttp/upload-api/<id>`"),
            )
            .with_operation("uploadFile")
        };
        let mut url = url::Url::parse(upload_link).map_err(|_| refuse("is not a URL"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(refuse("is not an http(s) URL"));
        }
        let prefix = match url.path().find("/seafhttp/") {
            Some(at) => url.path()[..at].to_string(),
            None => return Err(refuse("has no `/seafhttp/` in its path")),
        };
        url.set_path(&prefix);
        url.set_query(None);
        url.set_fragment(None);
        let _ = url.set_username("");
        let _ = url.set_password(None);
        let same_origin =
            url::Url::parse(self.client.server_url()).is_ok_and(|own| own.origin() == url.origin());
        let mut client = self.clone();
        client.file_server = Some(FileServer { url, same_origin });
        Ok(client)
    }

    /// Exchanges the API-Token for a Base-Token (`getBaseToken`) and returns the base's
    /// client.
    ///
    /// ```no_run
    /// # async fn run(api: seatable_api::ApiTokenClient) -> Result<(), seatable_api::Error> {
    /// let base = api.base().await?;
    /// # Ok(()) }
    /// ```
    pub async fn base(&self) -> Result<BaseClient, Error> {
        let access = self.get_base_token().await?;
        #[cfg(all(feature = "files", feature = "base"))]
        self.identity
            .remember(&access.dtable_uuid, access.workspace_id);
        let renewal = Renewal::Exchange(Box::new(self.clone()));
        BaseClient::from_access(self.client.clone(), "getBaseToken", access, renewal)
    }

    /// The server the base lives on.
    ///
    /// ```no_run
    /// # fn run(api: seatable_api::ApiTokenClient) {
    /// println!("{}", api.client().server_url());
    /// # }
    /// ```
    pub fn client(&self) -> &Client {
        &self.client
    }

    #[cfg(all(feature = "files", feature = "base"))]
    pub(crate) fn identity_cache(&self) -> &BaseIdentityCache {
        &self.identity
    }
}

impl Transport for ApiTokenClient {
    fn execute(&self, mut request: Request) -> BoxFuture<'_, Result<Response, Error>> {
        if let Some(server) = &self.file_server {
            if request.path.starts_with("/seafhttp/") {
                request.server = Some(server.url.clone());
                if !server.same_origin {
                    return Box::pin(self.client.send(Auth::None, request));
                }
            }
        }
        Box::pin(
            self.client
                .send(Auth::Static(self.token.expose_secret()), request),
        )
    }
}

impl BaseTokenSource for ApiTokenClient {
    fn operation(&self) -> &'static str {
        "getBaseToken"
    }

    fn base_access(&self) -> BoxFuture<'_, Result<BaseAccess, Error>> {
        Box::pin(async move { self.get_base_token().await })
    }
}
