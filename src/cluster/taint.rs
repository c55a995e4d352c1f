//! Taints on nodes and tolerations on pods, written as kubectl writes them.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TaintEffect {
    /// New pods that do not tolerate it are not scheduled here.
    NoSchedule,
    /// The scheduler avoids the node for such pods but may still use it.
    PreferNoSchedule,
    /// Like NoSchedule; running pods that do not tolerate it would be evicted.
    NoExecute,
}

impl TaintEffect {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "NoSchedule" => Some(Self::NoSchedule),
            "PreferNoSchedule" => Some(Self::PreferNoSchedule),
            "NoExecute" => Some(Self::NoExecute),
            _ => None,
        }
    }
}

impl fmt::Display for TaintEffect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NoSchedule => "NoSchedule",
            Self::PreferNoSchedule => "PreferNoSchedule",
            Self::NoExecute => "NoExecute",
        })
    }
}

/// A node taint: `key[=value]:Effect`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Taint {
    pub key: String,
    pub value: String,
    pub effect: TaintEffect,
}

/// A pod toleration: `key=value:Effect` (Equal), `key:Effect` or `key` (Exists),
/// `:Effect` or `*` (tolerates every key). A missing effect matches every effect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Toleration {
    pub key: Option<String>,
    pub value: Option<String>,
    pub effect: Option<TaintEffect>,
}

impl Toleration {
    pub fn tolerates(&self, t: &Taint) -> bool {
        if let Some(e) = self.effect {
            if e != t.effect {
                return false;
            }
        }
        match &self.key {
            None => true,
            Some(k) if *k != t.key => false,
            Some(_) => match &self.value {
                None => true,
                Some(v) => *v == t.value,
            },
        }
    }
}

/// The taint Kubernetes puts on a cordoned node: `node.kubernetes.io/unschedulable:NoSchedule`.
pub static UNSCHEDULABLE_TAINT: std::sync::LazyLock<Taint> = std::sync::LazyLock::new(|| Taint {
    key: "node.kubernetes.io/unschedulable".to_string(),
    value: String::new(),
    effect: TaintEffect::NoSchedule,
});

/// The taint the node controller puts on a node that stopped reporting
/// (NotReady in podsim): `node.kubernetes.io/unreachable:NoSchedule`.
pub static UNREACHABLE_TAINT: std::sync::LazyLock<Taint> = std::sync::LazyLock::new(|| Taint {
    key: "node.kubernetes.io/unreachable".to_string(),
    value: String::new(),
    effect: TaintEffect::NoSchedule,
});

/// Whether some toleration tolerates `taint`.
pub fn tolerated(tolerations: &[Toleration], taint: &Taint) -> bool {
    tolerations.iter().any(|t| t.tolerates(taint))
}

const EFFECTS: &str = "NoSchedule, PreferNoSchedule, NoExecute";

/// Parses `key[=value]:Effect`.
pub fn parse_taint(s: &str) -> Result<Taint, String> {
    let (kv, effect) = s.rsplit_once(':').ok_or_else(|| {
        format!("taint {s:?} needs an effect: key[=value]:Effect with Effect one of {EFFECTS}")
    })?;
    let effect = TaintEffect::parse(effect)
        .ok_or_else(|| format!("taint {s:?}: unknown effect {effect:?} (one of {EFFECTS})"))?;
    let (key, value) = kv.split_once('=').unwrap_or((kv, ""));
    if key.is_empty() {
        return Err(format!("taint {s:?} has an empty key"));
    }
    Ok(Taint {
        key: key.to_string(),
        value: value.to_string(),
        effect,
    })
}

/// Parses a toleration (see [`Toleration`]).
pub fn parse_toleration(s: &str) -> Result<Toleration, String> {
    if s.trim().is_empty() {
        return Err("an empty toleration; write \"*\" to tolerate every taint".to_string());
    }
    if s == "*" {
        return Ok(Toleration {
            key: None,
            value: None,
            effect: None,
        });
    }
    let (kv, effect) = match s.rsplit_once(':') {
        Some((kv, e)) => (
            kv,
            Some(TaintEffect::parse(e).ok_or_else(|| {
                format!("toleration {s:?}: unknown effect {e:?} (one of {EFFECTS})")
            })?),
        ),
        None => (s, None),
    };
    let (key, value) = match kv.split_once('=') {
        Some((k, v)) => (k, Some(v.to_string())),
        None => (kv, None),
    };
    if key.is_empty() && value.is_some() {
        return Err(format!(
            "toleration {s:?} has a value but no key (Kubernetes requires a key with a value)"
        ));
    }
    Ok(Toleration {
        key: if key.is_empty() {
            None
        } else {
            Some(key.to_string())
        },
        value,
        effect,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerations_match_like_kubernetes() {
        let t = parse_taint("gpu=true:NoSchedule").unwrap();
        assert!(parse_toleration("gpu=true:NoSchedule")
            .unwrap()
            .tolerates(&t));
        assert!(parse_toleration("gpu:NoSchedule").unwrap().tolerates(&t));
        assert!(parse_toleration("gpu").unwrap().tolerates(&t));
        assert!(parse_toleration("*").unwrap().tolerates(&t));
        assert!(!parse_toleration("gpu=false:NoSchedule")
            .unwrap()
            .tolerates(&t));
        assert!(!parse_toleration("gpu:NoExecute").unwrap().tolerates(&t));
        assert!(!parse_toleration("other").unwrap().tolerates(&t));
        assert!(parse_taint("gpu=true").is_err());
        assert!(parse_toleration("").is_err());
        assert!(parse_toleration("=x:NoSchedule").is_err());
        assert!(parse_taint("gpu:Sometimes").is_err());
    }
}
