//! OAuth for Python: token sets as `zdkit.oauth.TokenSet`, the rotation callback,
//! PKCE, the authorize URL and the code exchange.

use crate::client::Client;
use crate::errors::{guard, to_py_err};
use crate::interrupt::detached;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyTuple, PyType};
use std::sync::Arc;

/// A core token set as a `zdkit.oauth.TokenSet`.
pub fn token_set_to_py<'py>(
    py: Python<'py>,
    token: &zdkit::oauth::TokenSet,
) -> PyResult<Bound<'py, PyAny>> {
    static TOKEN_SET: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    let class = TOKEN_SET.import(py, "zdkit.oauth", "TokenSet")?;
    class.call1((
        token.access_token.expose(),
        token.refresh_token.as_ref().map(|r| r.expose()),
        token
            .expires_at
            .map(|t| zdkit::oauth::unix_seconds(t) as f64),
        token.scope.as_deref(),
    ))
}

/// Wraps a Python callable as the rotation callback. An exception in it is logged
/// (by type, never with the token) and does not stop the client: the token set
/// stays readable as `client.token_set`. Ctrl-C's `KeyboardInterrupt` is passed on to the
/// call instead.
pub fn rotation_callback(callable: Py<PyAny>) -> zdkit::oauth::RotationCallback {
    Arc::new(move |token: &zdkit::oauth::TokenSet| {
        Python::attach(|py| {
            let outcome = token_set_to_py(py, token).and_then(|t| callable.bind(py).call1((t,)));
            if let Err(error) = outcome {
                if crate::interrupt::pass_on_if_interrupt(py, &error) {
                    return;
                }
                let then = "the new token set is still in client.token_set";
                crate::log::callback_raised(py, &error, "on_rotate callback", then, false);
            }
        })
    })
}

/// A PKCE pair `(code_verifier, code_challenge)` (RFC 7636, S256).
#[pyfunction]
pub fn pkce_pair(py: Python<'_>) -> PyResult<Bound<'_, PyTuple>> {
    guard(py, || {
        let (verifier, challenge) = zdkit::oauth::pkce_pair().map_err(|e| to_py_err(py, e))?;
        PyTuple::new(py, [verifier.expose().to_owned(), challenge])
    })
}

/// The URL that asks a user to grant access (`/oauth/authorizations/new?…`).
#[pyfunction]
#[pyo3(signature = (target, client_id, redirect_uri, scope, state=None, code_challenge=None))]
pub fn authorize_url(
    py: Python<'_>,
    target: &str,
    client_id: &str,
    redirect_uri: &str,
    scope: &str,
    state: Option<&str>,
    code_challenge: Option<&str>,
) -> PyResult<String> {
    guard(py, || {
        let client = zdkit::Client::for_token_endpoint(target).map_err(|e| to_py_err(py, e))?;
        Ok(zdkit::oauth::authorize_url(
            client.config().base_url(),
            client_id,
            redirect_uri,
            scope,
            state,
            code_challenge,
        ))
    })
}

/// Exchanges an authorization code for a `zdkit.oauth.TokenSet`.
#[pyfunction]
#[pyo3(signature = (target, client_id, client_secret, code, redirect_uri, code_verifier=None))]
pub fn exchange_code<'py>(
    py: Python<'py>,
    target: &str,
    client_id: &str,
    client_secret: &str,
    code: &str,
    redirect_uri: &str,
    code_verifier: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    guard(py, || {
        let secret = zdkit::Secret::new(client_secret);
        let token = py
            .detach(|| {
                zdkit::panic::catch(|| {
                    zdkit::oauth::exchange_code(
                        target,
                        client_id,
                        &secret,
                        code,
                        redirect_uri,
                        code_verifier,
                    )
                })
                .and_then(|r| r)
            })
            .map_err(|e| to_py_err(py, e))?;
        token_set_to_py(py, &token)
    })
}

/// The OAuth methods of `zdkit._native.Client`.
#[pymethods]
impl Client {
    /// The current OAuth token set (`zdkit.oauth.TokenSet`), or None.
    #[getter]
    fn token_set<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        guard(py, move || {
            self.client(py)?
                .token_set()
                .map(|t| token_set_to_py(py, &t))
                .transpose()
        })
    }

    /// The current OAuth token set, minted or refreshed first when due.
    fn fetch_token_set<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        guard(py, move || {
            let client = self.client(py)?;
            let token = detached(py, &client, |client| client.fetch_token_set())?;
            token.map(|t| token_set_to_py(py, &t)).transpose()
        })
    }
}
