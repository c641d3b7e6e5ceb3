//! Diagnostics: what the user reads when something is wrong, pointing at the attribute.

use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub enum PathStep {
    Attr(String),
    Key(String),
    Index(i64),
}

/// A path into a resource's value, e.g. `timeouts.create` or `acl[1]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AttrPath(pub Vec<PathStep>);

impl AttrPath {
    pub fn attr(name: &str) -> AttrPath {
        AttrPath(vec![PathStep::Attr(name.to_string())])
    }
    pub fn then_attr(mut self, name: &str) -> AttrPath {
        self.0.push(PathStep::Attr(name.to_string()));
        self
    }
    pub fn then_key(mut self, k: &str) -> AttrPath {
        self.0.push(PathStep::Key(k.to_string()));
        self
    }
    pub fn then_index(mut self, i: i64) -> AttrPath {
        self.0.push(PathStep::Index(i));
        self
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                PathStep::Attr(a) if i == 0 => write!(f, "{a}")?,
                PathStep::Attr(a) => write!(f, ".{a}")?,
                PathStep::Key(k) => write!(f, "[{k:?}]")?,
                PathStep::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    pub path: Option<AttrPath>,
}

/// An ordered list of diagnostics; any error in it fails the operation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostics {
        let mut d = Diagnostics::default();
        d.add_error(summary, detail, None);
        d
    }
    pub fn attr_error(path: AttrPath, summary: impl Into<String>, detail: impl Into<String>) -> Diagnostics {
        let mut d = Diagnostics::default();
        d.add_error(summary, detail, Some(path));
        d
    }
    pub fn add_error(&mut self, summary: impl Into<String>, detail: impl Into<String>, path: Option<AttrPath>) {
        self.0.push(Diagnostic { severity: Severity::Error, summary: summary.into(), detail: detail.into(), path });
    }
    pub fn add_warning(&mut self, summary: impl Into<String>, detail: impl Into<String>, path: Option<AttrPath>) {
        self.0.push(Diagnostic { severity: Severity::Warning, summary: summary.into(), detail: detail.into(), path });
    }
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            match &d.path {
                Some(p) => writeln!(f, "{:?}: {} ({p}): {}", d.severity, d.summary, d.detail)?,
                None => writeln!(f, "{:?}: {}: {}", d.severity, d.summary, d.detail)?,
            }
        }
        Ok(())
    }
}
