//! zdkit: a Zendesk Support API client (work in progress).
