//! The keyword arguments of `zdkit._native.Client`, applied to the core's
//! [`ConfigBuilder`] through one dispatch on the setting's name. The core validates
//! them (`ConfigBuilder::build`); this module only converts Python values.

use crate::errors::configuration_error;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt};
use std::path::PathBuf;
use std::time::Duration;
use zdkit::ConfigBuilder;
use zdkit::config::EnvSettings;

/// The builder for `Client(subdomain, **options)`. An unknown keyword is a
/// `TypeError`, as for any Python function; `None` means "not given".
pub fn builder(
    py: Python<'_>,
    subdomain: Option<String>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<ConfigBuilder> {
    let mut builder = ConfigBuilder::default().log_sink(crate::log::sink());
    let mut pending = Pending {
        subdomain,
        ..Pending::default()
    };
    for (key, value) in options.into_iter().flatten() {
        let name: String = key.extract()?;
        if value.is_none() {
            continue;
        }
        let value = &value;
        builder = match name.as_str() {
            "timeout" => builder.timeout(duration(py, &name, value)?),
            "connect_timeout" => builder.connect_timeout(duration(py, &name, value)?),
            "deadline" => builder.deadline(duration(py, &name, value)?),
            "max_retries" => builder.max_retries(whole(py, &name, value)?),
            "max_response_bytes" => builder.max_response_bytes(whole(py, &name, value)?),
            "never_wait" => builder.never_wait(arg(&name, value)?),
            "rate_limit_pacing" => builder.pacing(arg(&name, value)?),
            "proxy" => builder.proxy(arg::<String>(&name, value)?),
            "no_proxy" => builder.no_proxy(arg::<String>(&name, value)?),
            "ca_file" => builder.ca_file(arg::<PathBuf>(&name, value)?),
            "ca_dir" => builder.ca_dir(arg::<PathBuf>(&name, value)?),
            "user_agent" => builder.user_agent(arg::<String>(&name, value)?),
            "on_event" => builder.event_sink(crate::events::sink(callable(&name, value)?)),
            _ => {
                pending.set(&name, value)?;
                builder
            }
        };
    }
    pending.apply(py, builder)
}

/// The keywords that combine with others: the target and the credentials (with
/// `from_env` they stand in for environment variables), the OAuth options and the
/// client certificate with its key.
#[derive(Default)]
struct Pending {
    from_env: bool,
    subdomain: Option<String>,
    base_url: Option<String>,
    email: Option<String>,
    api_token: Option<String>,
    oauth_token: Option<String>,
    password: Option<String>,
    oauth_client_id: Option<String>,
    oauth_client_secret: Option<String>,
    oauth_scope: Option<String>,
    oauth_expires_in: Option<u64>,
    oauth_refresh_token: Option<String>,
    on_rotate: Option<Py<PyAny>>,
    client_cert: Option<PathBuf>,
    client_key: Option<PathBuf>,
}

impl Pending {
    fn set(&mut self, name: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let text = || arg::<String>(name, value).map(Some);
        match name {
            "from_env" => self.from_env = arg(name, value)?,
            "base_url" => self.base_url = text()?,
            "email" => self.email = text()?,
            "api_token" => self.api_token = text()?,
            "oauth_token" => self.oauth_token = text()?,
            "password" => self.password = text()?,
            "oauth_client_id" => self.oauth_client_id = text()?,
            "oauth_client_secret" => self.oauth_client_secret = text()?,
            "oauth_scope" => self.oauth_scope = text()?,
            "oauth_expires_in" => self.oauth_expires_in = Some(whole(value.py(), name, value)?),
            "oauth_refresh_token" => self.oauth_refresh_token = text()?,
            "on_rotate" => self.on_rotate = Some(value.clone().unbind()),
            "client_cert" => self.client_cert = Some(arg(name, value)?),
            "client_key" => self.client_key = Some(arg(name, value)?),
            _ => {
                return Err(PyTypeError::new_err(format!(
                    "Client() got an unexpected keyword argument '{name}'"
                )));
            }
        }
        Ok(())
    }

    fn apply(self, py: Python<'_>, mut builder: ConfigBuilder) -> PyResult<ConfigBuilder> {
        let Pending {
            mut subdomain,
            mut base_url,
            mut email,
            mut api_token,
            mut oauth_token,
            ..
        } = self;
        if self.from_env {
            // The core reads the environment; arguments given here stand in for the
            // matching variables (a target given here replaces both target variables).
            let target_given = subdomain.is_some() || base_url.is_some();
            let given = |name: &str| -> Option<Option<String>> {
                match name {
                    "ZENDESK_URL" if target_given => Some(base_url.clone()),
                    "ZENDESK_SUBDOMAIN" if target_given => Some(subdomain.clone()),
                    "ZENDESK_EMAIL" if email.is_some() => Some(email.clone()),
                    "ZENDESK_API_TOKEN" if api_token.is_some() => Some(api_token.clone()),
                    "ZENDESK_OAUTH_TOKEN" if oauth_token.is_some() => Some(oauth_token.clone()),
                    _ => None,
                }
            };
            let env = EnvSettings::from_lookup(|name| {
                given(name).unwrap_or_else(|| std::env::var(name).ok().filter(|v| !v.is_empty()))
            })
            .map_err(|e| crate::errors::to_py_err(py, e))?;
            builder = builder.env_settings(env);
            (subdomain, base_url, email, api_token, oauth_token) = (None, None, None, None, None);
        }
        if let Some(subdomain) = subdomain {
            builder = builder.subdomain(subdomain);
        }
        if let Some(url) = base_url {
            builder = builder.base_url(url);
        }
        match (email, api_token, self.password) {
            (_, _, Some(password)) => builder = builder.password("", password),
            (Some(email), Some(token), None) => builder = builder.api_token(email, token),
            (Some(_), None, None) => {
                return Err(configuration_error(
                    py,
                    "an email needs an api_token (Zendesk no longer accepts passwords); \
                     or pass oauth_token instead",
                ));
            }
            (None, Some(_), None) => {
                return Err(configuration_error(
                    py,
                    "an api_token needs the email of its user: pass email=",
                ));
            }
            (None, None, None) => {}
        }
        if let Some(token) = oauth_token {
            builder = builder.oauth_token(token);
        }
        match (
            self.oauth_client_id,
            self.oauth_client_secret,
            self.oauth_refresh_token,
        ) {
            (Some(id), Some(secret), Some(refresh)) => {
                let on_rotate = self.on_rotate.map(crate::oauth::rotation_callback);
                builder = builder.oauth_refresh_token(&id, &secret, &refresh, on_rotate);
            }
            (Some(id), Some(secret), None) => {
                let scope = self.oauth_scope.as_deref().unwrap_or("read");
                let expires_in = self
                    .oauth_expires_in
                    .unwrap_or(zdkit::oauth::DEFAULT_EXPIRES_IN);
                builder = builder.oauth_client_credentials(&id, &secret, scope, expires_in);
            }
            (None, None, None) => {}
            _ => {
                return Err(configuration_error(
                    py,
                    "OAuth needs a client id and a client secret",
                ));
            }
        }
        match (self.client_cert, self.client_key) {
            (Some(cert), Some(key)) => builder = builder.client_cert(cert, key),
            (None, None) => {}
            _ => {
                return Err(configuration_error(
                    py,
                    "a client certificate needs its key: pass client_cert= and client_key=",
                ));
            }
        }
        Ok(builder)
    }
}

/// A keyword's value as `T`; a value of the wrong type is a `TypeError` naming the
/// keyword, as pyo3's own argument parsing says it.
fn arg<'a, 'py, T: FromPyObject<'a, 'py>>(name: &str, value: &'a Bound<'py, PyAny>) -> PyResult<T>
where
    T::Error: Into<PyErr>,
{
    value.extract::<T>().map_err(|error| {
        let error: PyErr = error.into();
        PyTypeError::new_err(format!("argument '{name}': {}", error.value(value.py())))
    })
}

/// A callable keyword value; anything else is a `TypeError` naming the keyword.
fn callable(name: &str, value: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    if !value.is_callable() {
        return Err(PyTypeError::new_err(format!(
            "argument '{name}': expected a callable, not {}",
            value.get_type().name()?
        )));
    }
    Ok(value.clone().unbind())
}

/// A whole number (not a bool) that fits `T`; anything else is a `ConfigurationError`.
fn whole<'py, T>(py: Python<'py>, name: &str, value: &Bound<'py, PyAny>) -> PyResult<T>
where
    T: for<'a> FromPyObject<'a, 'py>,
{
    value
        .cast::<PyInt>()
        .ok()
        .filter(|_| !value.is_instance_of::<PyBool>())
        .and_then(|int| int.extract::<T>().ok())
        .ok_or_else(|| {
            configuration_error(
                py,
                &format!("{name} must be a whole number >= 0, not too large"),
            )
        })
}

/// A number of seconds (an int or a float, not a bool) as a `Duration`: more than
/// zero and at most `zdkit::config::MAX_CONFIGURED_DURATION`; anything else (NaN, infinite,
/// negative, 1e300, 10**400, "5") is a `ConfigurationError`, never a panic.
pub fn duration(py: Python<'_>, name: &str, value: &Bound<'_, PyAny>) -> PyResult<Duration> {
    let number = value.is_instance_of::<PyFloat>()
        || (value.is_instance_of::<PyInt>() && !value.is_instance_of::<PyBool>());
    if !number {
        return Err(configuration_error(
            py,
            &format!("{name} must be a number of seconds"),
        ));
    }
    value
        .extract::<f64>()
        .ok()
        .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok())
        .filter(|d| !d.is_zero() && *d <= zdkit::config::MAX_CONFIGURED_DURATION)
        .ok_or_else(|| {
            configuration_error(
                py,
                &format!(
                    "{name} must be more than 0 and at most {} seconds",
                    zdkit::config::MAX_CONFIGURED_DURATION.as_secs()
                ),
            )
        })
}
